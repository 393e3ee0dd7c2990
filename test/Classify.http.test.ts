import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Cause, Data, Duration, Effect, Exit, Fiber, type Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import * as Http from "node:http"
import * as Net from "node:net"
import * as Classify from "../src/Classify.ts"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing, gaps, runToEnd } from "./helpers.ts"

class Unavailable extends Data.TaggedError("Unavailable") {}

const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code })

// 23:59:57 GMT on Friday 15 March 2024.
const now = Date.UTC(2024, 2, 15, 23, 59, 57)

const request = HttpClientRequest.get("http://127.0.0.1/items")

const respond = (status: number, headers: Record<string, string> = {}) =>
  HttpClientResponse.fromWeb(request, new Response(null, { status, headers }))

const statusCodeError = (status: number, headers: Record<string, string> = {}) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.StatusCodeError({ request, response: respond(status, headers) })
  })

const transportError = (cause?: unknown) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError(cause === undefined ? { request } : { request, cause })
  })

describe("Classify HttpClient helpers on constructed errors", () => {
  it("isTransientHttpError is true for every TransportError", () => {
    expect(Classify.isTransientHttpError(transportError(withCode("ECONNREFUSED")))).toBe(true)
    expect(Classify.isTransientHttpError(transportError(new TypeError("Failed to fetch")))).toBe(true)
    expect(Classify.isTransientHttpError(transportError())).toBe(true)
  })

  it("isTransientHttpError is true for a StatusCodeError with a transient status only", () => {
    for (const status of Classify.transientStatuses) {
      expect(Classify.isTransientHttpError(statusCodeError(status))).toBe(true)
    }
    for (const status of [400, 401, 404, 409, 422, 501, 505]) {
      expect(Classify.isTransientHttpError(statusCodeError(status))).toBe(false)
    }
  })

  it("isTransientHttpError is true for Effect's TimeoutError", () => {
    expect(Classify.isTransientHttpError(new Cause.TimeoutError())).toBe(true)
  })

  it("isTransientHttpError is false for request errors that a retry repeats", () => {
    const encode = new HttpClientError.EncodeError({ request, cause: withCode("ECONNRESET") })
    const invalidUrl = new HttpClientError.InvalidUrlError({ request })
    expect(Classify.isTransientHttpError(new HttpClientError.HttpClientError({ reason: encode }))).toBe(false)
    expect(Classify.isTransientHttpError(new HttpClientError.HttpClientError({ reason: invalidUrl }))).toBe(false)
  })

  it("isTransientHttpError is false for a DecodeError or EmptyBodyError on a 200 or a 404", () => {
    const decode = new HttpClientError.DecodeError({ request, response: respond(200), cause: new SyntaxError("JSON") })
    const empty = new HttpClientError.EmptyBodyError({ request, response: respond(200) })
    const decode404 = new HttpClientError.DecodeError({ request, response: respond(404) })
    for (const reason of [decode, empty, decode404]) {
      expect(Classify.isTransientHttpError(new HttpClientError.HttpClientError({ reason }))).toBe(false)
    }
  })

  it("isTransientHttpError is true for a DecodeError on a 503, as HttpApiClient reports an undeclared one", () => {
    const reason = new HttpClientError.DecodeError({
      request,
      response: respond(503),
      description: "undeclared status code"
    })
    expect(Classify.isTransientHttpError(new HttpClientError.HttpClientError({ reason }))).toBe(true)
  })

  it("isTransientHttpError is true for a DecodeError caused by a connection dropped while reading the body", () => {
    const cause = new TypeError("terminated", { cause: withCode("UND_ERR_SOCKET", "other side closed") })
    const reason = new HttpClientError.DecodeError({ request, response: respond(200), cause })
    expect(Classify.isTransientHttpError(new HttpClientError.HttpClientError({ reason }))).toBe(true)
  })

  it("isTransientHttpError is false for errors that are not from HttpClient", () => {
    for (const value of [withCode("ECONNRESET"), new Unavailable(), { _tag: "HttpClientError" }, null, 503]) {
      expect(Classify.isTransientHttpError(value)).toBe(false)
    }
  })

  it("statusOf gives the status of the response an error carries, else undefined", () => {
    expect(Classify.statusOf(statusCodeError(503))).toBe(503)
    const decode = new HttpClientError.DecodeError({ request, response: respond(200) })
    expect(Classify.statusOf(new HttpClientError.HttpClientError({ reason: decode }))).toBe(200)
    expect(Classify.statusOf(transportError(withCode("ECONNRESET")))).toBe(undefined)
    expect(Classify.statusOf({ status: 503 })).toBe(undefined)
    expect(Classify.statusOf(undefined)).toBe(undefined)
  })

  it("retryAfterHint parses the Retry-After header of the response", () => {
    expect(Classify.retryAfterHint(statusCodeError(503, { "Retry-After": "1" }), now)).toEqual(Duration.seconds(1))
    const dated = statusCodeError(429, { "retry-after": "Fri, 15 Mar 2024 23:59:59 GMT" })
    expect(Classify.retryAfterHint(dated, now)).toEqual(Duration.seconds(2))
    expect(Classify.retryAfterHint(dated, now + 5000)).toEqual(Duration.zero)
  })

  it("retryAfterHint is undefined without a usable hint", () => {
    expect(Classify.retryAfterHint(statusCodeError(503), now)).toBe(undefined)
    expect(Classify.retryAfterHint(statusCodeError(503, { "Retry-After": "1.5" }), now)).toBe(undefined)
    expect(Classify.retryAfterHint(transportError(withCode("ECONNRESET")), now)).toBe(undefined)
    expect(Classify.retryAfterHint({ response: { headers: { "retry-after": "1" } } }, now)).toBe(undefined)
    expect(Classify.retryAfterHint(new Cause.TimeoutError(), now)).toBe(undefined)
  })

  it("retryAfterHint throws a RangeError when now is not finite, even without a hint", () => {
    expect(() => Classify.retryAfterHint(undefined, NaN)).toThrow(
      new RangeError(
        `Classify.retryAfterHint: option "now" must be finite epoch milliseconds within ±8.64e15, received NaN`
      )
    )
  })
})

describe("Classify with Policy and Effect.timeout", () => {
  it.effect("Policy.retryAfter waits the Retry-After of a 503 read by retryAfterHint, on the TestClock", () =>
    Effect.gen(function*() {
      const { effect, starts } = alwaysFailing(statusCodeError(503, { "Retry-After": "7" }))
      const policy = Policy.constant({ delay: "10 millis", maxRetries: 2 }).pipe(
        Policy.retryWhile(Classify.isTransientHttpError),
        Policy.retryAfter(Classify.retryAfterHint, { max: "1 minute" })
      )
      const exit = yield* runToEnd(Effect.retry(effect, policy))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(gaps(starts)).toEqual([7000, 7000])
    }))

  it.effect("Policy.retryWhile with isTransientHttpError stops at once on a 400", () =>
    Effect.gen(function*() {
      const { effect, starts } = alwaysFailing(statusCodeError(400))
      const policy = Policy.constant({ delay: "10 millis", maxRetries: 2 }).pipe(
        Policy.retryWhile(Classify.isTransientHttpError)
      )
      const exit = yield* runToEnd(Effect.retry(effect, policy))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(starts).toEqual([0])
    }))

  it.effect("the TimeoutError of Effect.timeout is transient", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.flip(Effect.timeout(Effect.never, "1 second")))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      expect(Classify.isTransientHttpError(error)).toBe(true)
    }))
})

// A real HTTP server on an ephemeral port of 127.0.0.1, answering per path.
const hits = new Map<string, number>()
let server: Http.Server
let baseUrl: string
let closedPort: number

const listen = (target: Http.Server | Net.Server): Promise<number> =>
  new Promise((resolve) => target.listen(0, "127.0.0.1", () => resolve((target.address() as Net.AddressInfo).port)))

beforeAll(async () => {
  server = Http.createServer((req, res) => {
    const path = req.url ?? "/"
    const count = (hits.get(path) ?? 0) + 1
    hits.set(path, count)
    switch (path) {
      case "/unavailable":
        return res.writeHead(503, { "Retry-After": "1" }).end("busy")
      case "/throttled":
        return res.writeHead(429, { "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT" }).end("slow down")
      case "/bad-request":
        return res.writeHead(400).end("no")
      case "/not-implemented":
        return res.writeHead(501).end("no")
      case "/drop":
        return req.socket.destroy()
      case "/truncated":
        res.writeHead(200, { "Content-Length": "100" })
        res.write("only part of the body")
        return setTimeout(() => req.socket.destroy(), 20)
      case "/flaky":
        return count <= 2 ? res.writeHead(503).end("busy") : res.writeHead(200).end("ok")
      default:
        return res.writeHead(200).end("ok")
    }
  })
  baseUrl = `http://127.0.0.1:${await listen(server)}`
  const closed = Net.createServer()
  closedPort = await listen(closed)
  await new Promise((resolve) => closed.close(resolve))
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const clients = {
  fetch: FetchHttpClient.layer,
  undici: NodeHttpClient.layerUndici,
  "node:http": NodeHttpClient.layerNodeHttp
} satisfies Record<string, Layer.Layer<HttpClient.HttpClient>>

// Requests `url` through a client that fails on non-2xx statuses, reads the body, and returns the failure.
const failureOf = (url: string, client: Layer.Layer<HttpClient.HttpClient> = clients.fetch) =>
  Effect.gen(function*() {
    const http = HttpClient.filterStatusOk(yield* HttpClient.HttpClient)
    return yield* Effect.flip(Effect.flatMap(http.get(url), (response) => response.text))
  }).pipe(Effect.provide(client))

describe("Classify HttpClient helpers against a real server", () => {
  it.live("a 503 with Retry-After: 1 is transient and hints 1 s", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(`${baseUrl}/unavailable`)
      expect(error.reason._tag).toBe("StatusCodeError")
      expect(Classify.statusOf(error)).toBe(503)
      expect(Classify.isTransientHttpError(error)).toBe(true)
      expect(Classify.retryAfterHint(error, Date.now())).toEqual(Duration.seconds(1))
    }))

  it.live("a 429 with an HTTP-date is transient and hints the time until that date", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(`${baseUrl}/throttled`)
      expect(Classify.statusOf(error)).toBe(429)
      expect(Classify.isTransientHttpError(error)).toBe(true)
      expect(Classify.retryAfterHint(error, Date.UTC(2015, 9, 21, 7, 27, 57))).toEqual(Duration.seconds(3))
      expect(Classify.retryAfterHint(error, Date.UTC(2015, 9, 21, 7, 28, 1))).toEqual(Duration.zero)
    }))

  it.live("a 400 and a 501 are not transient and carry no hint", () =>
    Effect.gen(function*() {
      for (const path of ["/bad-request", "/not-implemented"]) {
        const error = yield* failureOf(`${baseUrl}${path}`)
        expect(error.reason._tag).toBe("StatusCodeError")
        expect(Classify.isTransientHttpError(error)).toBe(false)
        expect(Classify.retryAfterHint(error, Date.now())).toBe(undefined)
      }
    }))

  for (const [name, client] of Object.entries(clients)) {
    it.live(`a socket destroyed mid-request is a transient TransportError with a network code (${name})`, () =>
      Effect.gen(function*() {
        const error = yield* failureOf(`${baseUrl}/drop`, client)
        expect(error.reason._tag).toBe("TransportError")
        expect(Classify.isTransientHttpError(error)).toBe(true)
        expect(Classify.isTransientNetworkError(error)).toBe(true)
        expect(Classify.statusOf(error)).toBe(undefined)
      }))

    it.live(`a refused connection is a transient TransportError with a network code (${name})`, () =>
      Effect.gen(function*() {
        const error = yield* failureOf(`http://127.0.0.1:${closedPort}/`, client)
        expect(error.reason._tag).toBe("TransportError")
        expect(Classify.isTransientHttpError(error)).toBe(true)
        expect(Classify.hasErrorCode("ECONNREFUSED")(error)).toBe(true)
      }))

    it.live(`a body cut off by a dropped connection is a transient DecodeError on a 200 (${name})`, () =>
      Effect.gen(function*() {
        const error = yield* failureOf(`${baseUrl}/truncated`, client)
        expect(error.reason._tag).toBe("DecodeError")
        expect(Classify.statusOf(error)).toBe(200)
        expect(Classify.isTransientHttpError(error)).toBe(true)
      }))
  }

  it.live("Effect.retry with isTransientHttpError retries 503s until the server answers 200", () =>
    Effect.gen(function*() {
      const text = yield* Effect.gen(function*() {
        const http = HttpClient.filterStatusOk(yield* HttpClient.HttpClient)
        return yield* Effect.flatMap(http.get(`${baseUrl}/flaky`), (response) => response.text)
      }).pipe(Effect.retry({ while: Classify.isTransientHttpError, times: 5 }), Effect.provide(clients.fetch))
      expect(text).toBe("ok")
      expect(hits.get("/flaky")).toBe(3)
    }))

  it.live("Effect.retry with isTransientHttpError does not retry a 400", () =>
    Effect.gen(function*() {
      const before = hits.get("/bad-request") ?? 0
      const error = yield* Effect.gen(function*() {
        const http = HttpClient.filterStatusOk(yield* HttpClient.HttpClient)
        return yield* http.get(`${baseUrl}/bad-request`)
      }).pipe(
        Effect.retry({ while: Classify.isTransientHttpError, times: 5 }),
        Effect.flip,
        Effect.provide(clients.fetch)
      )
      expect(Classify.statusOf(error)).toBe(400)
      expect(hits.get("/bad-request")).toBe(before + 1)
    }))

  it("finds ECONNREFUSED in the AggregateError of a connection attempt to several addresses", async () => {
    const error = await new Promise<unknown>((resolve) => {
      const socket = Net.connect({
        host: "several.invalid",
        port: closedPort,
        autoSelectFamily: true,
        lookup: (_hostname, _options, callback) =>
          callback(null, [{ address: "127.0.0.1", family: 4 }, { address: "127.0.0.2", family: 4 }])
      })
      socket.on("error", resolve)
    })
    expect(error).toBeInstanceOf(AggregateError)
    const entries = (error as AggregateError).errors
    expect(entries.map((entry: { code?: unknown }) => entry.code)).toEqual(["ECONNREFUSED", "ECONNREFUSED"])
    expect(Classify.isTransientNetworkError(error)).toBe(true)
    // Without the aggregate's own code, the walk still finds the entries' codes.
    expect(Classify.isTransientNetworkError(new AggregateError(entries, "connect failed"))).toBe(true)
  })
})
