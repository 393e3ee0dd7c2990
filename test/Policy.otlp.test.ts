import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import { Otlp } from "effect/observability"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Policy from "../src/Policy.ts"
import { scripted } from "./helpers.ts"
import { isolatedMetrics } from "./telemetry.ts"

interface Receiver {
  readonly url: string
  readonly received: Map<string, Array<any>>
  readonly server: http.Server
}

// A real OTLP/HTTP JSON receiver on 127.0.0.1: it keeps every request body by path.
const receiver = Effect.acquireRelease(
  Effect.callback<Receiver>((resume) => {
    const received = new Map<string, Array<any>>()
    const server = http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const list = received.get(request.url ?? "") ?? []
        list.push(JSON.parse(Buffer.concat(chunks).toString("utf8")))
        received.set(request.url ?? "", list)
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received, server }))
    })
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
)

const policy = Policy.constant({ delay: 5, maxRetries: 3 }).pipe(Policy.observed("otlp-demo"))

const attributes = (list: ReadonlyArray<{ key: string; value: Record<string, unknown> }>) =>
  Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]))

describe("OpenTelemetry export", () => {
  it.live("the resilience.retry span, its retry events and the metrics reach a real OTLP receiver", () =>
    Effect.gen(function*() {
      const { received, url } = yield* receiver
      const exporter = Otlp.layerJson({ baseUrl: url, resource: { serviceName: "effect-resilience-test" } }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
      yield* Policy.retry(scripted(["a", "b", "ok"]).effect, policy).pipe(Effect.provide(exporter), isolatedMetrics)

      const spans = (received.get("/v1/traces") ?? []).flatMap((body) =>
        body.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans))
      )
      const span = spans.find((s: any) => s.name === "resilience.retry")
      expect(attributes(span.attributes)).toStrictEqual({
        policy: "otlp-demo",
        attempts: 3,
        outcome: "success_with_retry"
      })
      expect(span.events.map((e: any) => [e.name, attributes(e.attributes)])).toStrictEqual([
        ["retry", { attempt: 1, delay_ms: 5, "error.type": "String" }],
        ["retry", { attempt: 2, delay_ms: 5, "error.type": "String" }]
      ])

      const metrics = (received.get("/v1/metrics") ?? []).flatMap((body) =>
        body.resourceMetrics.flatMap((r: any) => r.scopeMetrics.flatMap((s: any) => s.metrics))
      )
      const names = new Set(metrics.map((m: any) => m.name))
      for (
        const name of [
          "resilience_retry_retries_total",
          "resilience_retry_delay_seconds",
          "resilience_retry_calls_total",
          "resilience_retry_attempt_duration_seconds"
        ]
      ) {
        expect(names.has(name)).toBe(true)
      }
    }))
})
