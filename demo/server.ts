/**
 * A scripted HTTP server on 127.0.0.1: each path answers its requests with the next reply of its script.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** What the server does with one request. */
export type Reply =
  | { readonly _tag: "Status"; readonly status: number; readonly retryAfter?: RetryAfter }
  | { readonly _tag: "Drop" }

/** A `Retry-After` header: a number of seconds, or an HTTP-date that many seconds ahead. */
export type RetryAfter =
  | { readonly _tag: "Seconds"; readonly seconds: number }
  | { readonly _tag: "DateIn"; readonly seconds: number }

/** Scripts by path. A path answers 404 when it has no script, and repeats the last reply once the script ends. */
export type Routes = Readonly<Record<string, ReadonlyArray<Reply>>>

/** A running server. */
export interface Server {
  readonly url: (path: string) => string
}

export const status = (status: number, retryAfter?: RetryAfter): Reply =>
  retryAfter === undefined ? { _tag: "Status", status } : { _tag: "Status", status, retryAfter }

export const drop: Reply = { _tag: "Drop" }

export const retryAfterSeconds = (seconds: number): RetryAfter => ({ _tag: "Seconds", seconds })

export const retryAfterDate = (seconds: number): RetryAfter => ({ _tag: "DateIn", seconds })

/** Listens on an ephemeral port of 127.0.0.1 until the scope closes. */
export const serve = (routes: Routes): Effect.Effect<Server, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(listen(routes), close),
    (server) => {
      const { port } = server.address() as AddressInfo
      return { url: (path) => `http://127.0.0.1:${port}${path}` }
    }
  )

const listen = (routes: Routes): Effect.Effect<Http.Server> =>
  Effect.callback<Http.Server>((resume) => {
    const served = new Map<string, number>()
    const server = Http.createServer((request, response) => {
      const path = request.url ?? "/"
      const script = routes[path] ?? []
      const count = served.get(path) ?? 0
      served.set(path, count + 1)
      const reply = script[Math.min(count, script.length - 1)]
      request.resume()
      request.on("end", () => answer(reply, request, response))
    })
    server.once("error", (error) => resume(Effect.die(error)))
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  })

const close = (server: Http.Server): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    server.close(() => resume(Effect.void))
    // Client connections kept alive would otherwise hold the server open.
    server.closeAllConnections()
  })

const answer = (reply: Reply | undefined, request: Http.IncomingMessage, response: Http.ServerResponse): void => {
  if (reply === undefined) {
    response.writeHead(404).end()
    return
  }
  if (reply._tag === "Drop") {
    request.socket.destroy()
    return
  }
  const send = (headers: Http.OutgoingHttpHeaders) =>
    response.writeHead(reply.status, headers).end(Http.STATUS_CODES[reply.status])
  const retryAfter = reply.retryAfter
  if (retryAfter === undefined) {
    send({})
  } else if (retryAfter._tag === "Seconds") {
    send({ "retry-after": String(retryAfter.seconds) })
  } else {
    // An HTTP-date counts whole seconds, so answer on a second boundary: the client then waits the full `seconds`
    // whatever the moment of the request, and a seeded run prints the same delay every time.
    const boundary = Math.ceil(Date.now() / 1000) * 1000
    const date = new Date(boundary + retryAfter.seconds * 1000).toUTCString()
    setTimeout(() => send({ "retry-after": date }), boundary - Date.now())
  }
}
