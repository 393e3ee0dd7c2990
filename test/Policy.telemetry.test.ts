import { describe, expect, it } from "@effect/vitest"
import { Data, Effect, Exit, Fiber, Metric } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { TestClock } from "effect/testing"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing, gaps, runToEnd, scripted } from "./helpers.ts"
import { isolatedMetrics, recordingLogger, recordingTracer, series } from "./telemetry.ts"

class Unavailable extends Data.TaggedError("Unavailable")<{ readonly secret: string }> {}
class Refused extends Error {}

const policy = Policy.exponential({ base: 100, max: 1000, jitter: Jitter.none, maxRetries: 3 }).pipe(
  Policy.observed("inventory")
)

describe("Policy.observed", () => {
  it.effect("counts retries and stops by reason, and records each chosen delay", () =>
    Effect.gen(function*() {
      const op = alwaysFailing(new Unavailable({ secret: "token=abc" }))
      yield* runToEnd(Effect.retry(op.effect, policy))
      expect((yield* series("resilience_retry_retries_total", { policy: "inventory" })).count).toBe(3)
      expect((yield* series("resilience_retry_stops_total", { policy: "inventory", reason: "max-retries" })).count)
        .toBe(1)
      const delays = yield* series("resilience_retry_delay_seconds", { policy: "inventory" })
      expect({ count: delays.count, sum: delays.sum, min: delays.min, max: delays.max }).toStrictEqual({
        count: 3,
        sum: 0.1 + 0.2 + 0.4,
        min: 0.1,
        max: 0.4
      })
    }).pipe(isolatedMetrics))

  it.effect("puts a retry event with attempt, delay_ms and error.type on the current span; never the message", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const op = scripted([new Unavailable({ secret: "token=abc" }), new Refused("password=hunter2"), "ok"])
      const exit = yield* runToEnd(
        Effect.retry(op.effect, policy).pipe(Effect.withSpan("checkout"), Effect.withTracer(tracer))
      )
      expect(exit).toStrictEqual(Exit.succeed(3))
      const checkout = spans.find((span) => span.name === "checkout")!
      expect(checkout.events).toStrictEqual([
        ["retry", 0n, { attempt: 1, delay_ms: 100, "error.type": "Unavailable" }],
        ["retry", 100_000_000n, { attempt: 2, delay_ms: 200, "error.type": "Refused" }]
      ])
      expect(checkout.events.flatMap(([, , attributes]) => Object.values(attributes)).join(" ")).not.toMatch(
        /token|password/
      )
    }).pipe(isolatedMetrics))

  it.effect("logs one Debug entry per decision, annotated with policy, attempt and delay", () =>
    Effect.gen(function*() {
      const logs = recordingLogger()
      const op = alwaysFailing(new Unavailable({ secret: "token=abc" }))
      yield* runToEnd(Effect.retry(op.effect, policy.pipe(Policy.withMaxRetries(1)))).pipe(logs.provide)
      expect(logs.entries).toStrictEqual([
        {
          message: "retry scheduled",
          level: "Debug",
          annotations: { policy: "inventory", attempt: 1, delay_ms: 100, reason: "backoff" }
        },
        {
          message: "retry stopped",
          level: "Debug",
          annotations: { policy: "inventory", attempt: 2, reason: "max-retries" }
        }
      ])
    }).pipe(isolatedMetrics))

  it.effect("a policy without observed records no metric at all", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      yield* runToEnd(Effect.retry(op.effect, Policy.constant({ delay: 10 })))
      expect(yield* Metric.snapshot).toStrictEqual([])
    }).pipe(isolatedMetrics))

  it("an empty name raises a RangeError", () => {
    expect(() => Policy.exponential().pipe(Policy.observed(""))).toThrow(
      new RangeError(`Policy.observed: option "name" must be a non-empty string, received ""`)
    )
  })
})

describe("Policy.retry", () => {
  it.effect("counts calls by outcome and times attempts by outcome", () =>
    Effect.gen(function*() {
      yield* runToEnd(Policy.retry(Effect.succeed(1), policy))
      yield* runToEnd(Policy.retry(scripted(["a", "ok"]).effect, policy))
      yield* runToEnd(Policy.retry(alwaysFailing("a").effect, policy.pipe(Policy.withMaxRetries(0))))
      yield* runToEnd(Policy.retry(alwaysFailing("a").effect, policy))
      const count = (outcome: string) =>
        series("resilience_retry_calls_total", { policy: "inventory", outcome }).pipe(Effect.map((s) => s.count))
      expect({
        success_without_retry: yield* count("success_without_retry"),
        success_with_retry: yield* count("success_with_retry"),
        failed_without_retry: yield* count("failed_without_retry"),
        failed_with_retry: yield* count("failed_with_retry")
      }).toStrictEqual({
        success_without_retry: 1,
        success_with_retry: 1,
        failed_without_retry: 1,
        failed_with_retry: 1
      })
      const durations = (outcome: string) =>
        series("resilience_retry_attempt_duration_seconds", { policy: "inventory", outcome }).pipe(
          Effect.map((s) => s.count)
        )
      expect(yield* durations("success")).toBe(2)
      expect(yield* durations("failure")).toBe(1 + 1 + 4)
    }).pipe(isolatedMetrics))

  it.effect("an interrupted call counts as interrupted, and so does the attempt it interrupted", () =>
    Effect.gen(function*() {
      const slow = Effect.sleep("1 minute")
      const fiber = yield* Effect.forkChild(Policy.retry(slow, policy))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      const calls = yield* series("resilience_retry_calls_total", { policy: "inventory", outcome: "interrupted" })
      expect(calls.count).toBe(1)
      const interrupted = yield* series("resilience_retry_attempt_duration_seconds", {
        policy: "inventory",
        outcome: "interrupted"
      })
      expect({ count: interrupted.count, sum: interrupted.sum }).toStrictEqual({ count: 1, sum: 1 })
    }).pipe(isolatedMetrics))

  it.effect("wraps the call in a resilience.retry span with policy, attempts, outcome; retry events land on it", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      yield* runToEnd(Policy.retry(scripted(["a", "b", "ok"]).effect, policy).pipe(Effect.withTracer(tracer)))
      const span = spans.find((s) => s.name === "resilience.retry")!
      expect(Object.fromEntries(span.attributes)).toStrictEqual({
        policy: "inventory",
        attempts: 3,
        outcome: "success_with_retry"
      })
      expect(span.events.map(([name, , attributes]) => [name, attributes.attempt])).toStrictEqual([
        ["retry", 1],
        ["retry", 2]
      ])
    }).pipe(isolatedMetrics))

  it.effect("an unobserved policy is labelled unnamed", () =>
    Effect.gen(function*() {
      yield* runToEnd(Policy.retry(Effect.succeed(1), Policy.constant()))
      const calls = yield* series("resilience_retry_calls_total", {
        policy: "unnamed",
        outcome: "success_without_retry"
      })
      expect(calls.count).toBe(1)
    }).pipe(isolatedMetrics))

  it.effect("its result is Effect.retry's: the same value, or the same last error after the same executions", () =>
    Effect.gen(function*() {
      const wrapped = alwaysFailing("x")
      const plain = alwaysFailing("x")
      const a = yield* runToEnd(Effect.flip(Policy.retry(wrapped.effect, policy)))
      const b = yield* runToEnd(Effect.flip(Effect.retry(plain.effect, policy)))
      expect(a).toStrictEqual(b)
      expect(gaps(wrapped.starts)).toStrictEqual(gaps(plain.starts))
      expect(yield* runToEnd(Policy.retry(Effect.succeed(7), policy))).toStrictEqual(Exit.succeed(7))
    }).pipe(isolatedMetrics))
})

describe("Prometheus exposition", () => {
  it.effect("a scripted scenario produces this exact text", () =>
    Effect.gen(function*() {
      // Attempts take 30 ms each. Call 1 fails twice, then succeeds; call 2 fails four times and gives up.
      const slow = <A, E>(effect: Effect.Effect<A, E>) => Effect.andThen(Effect.sleep(30), effect)
      yield* runToEnd(Policy.retry(slow(scripted(["a", "b", "ok"]).effect), policy))
      yield* runToEnd(Policy.retry(slow(alwaysFailing("a").effect), policy))
      expect(yield* PrometheusMetrics.format()).toMatchInlineSnapshot(`
        "# HELP resilience_retry_attempt_duration_seconds Duration of each attempt made through Policy.retry, by outcome
        # TYPE resilience_retry_attempt_duration_seconds histogram
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.001"} 0
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.005"} 0
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.01"} 0
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.025"} 0
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.05"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.1"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.25"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.5"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="1"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="2.5"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="5"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="10"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="30"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="60"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="failure",le="+Inf"} 6
        resilience_retry_attempt_duration_seconds_sum{policy="inventory",outcome="failure"} 0.18
        resilience_retry_attempt_duration_seconds_count{policy="inventory",outcome="failure"} 6
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="0.001"} 0
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="0.005"} 0
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="0.01"} 0
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="0.025"} 0
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="0.05"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="0.1"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="0.25"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="0.5"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="1"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="2.5"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="5"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="10"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="30"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="60"} 1
        resilience_retry_attempt_duration_seconds_bucket{policy="inventory",outcome="success",le="+Inf"} 1
        resilience_retry_attempt_duration_seconds_sum{policy="inventory",outcome="success"} 0.03
        resilience_retry_attempt_duration_seconds_count{policy="inventory",outcome="success"} 1
        # HELP resilience_retry_retries_total Retries scheduled by a retry policy
        # TYPE resilience_retry_retries_total counter
        resilience_retry_retries_total{policy="inventory"} 5
        # HELP resilience_retry_delay_seconds Delays chosen by retry policies before a retry
        # TYPE resilience_retry_delay_seconds histogram
        resilience_retry_delay_seconds_bucket{policy="inventory",le="0.005"} 0
        resilience_retry_delay_seconds_bucket{policy="inventory",le="0.01"} 0
        resilience_retry_delay_seconds_bucket{policy="inventory",le="0.025"} 0
        resilience_retry_delay_seconds_bucket{policy="inventory",le="0.05"} 0
        resilience_retry_delay_seconds_bucket{policy="inventory",le="0.1"} 2
        resilience_retry_delay_seconds_bucket{policy="inventory",le="0.25"} 4
        resilience_retry_delay_seconds_bucket{policy="inventory",le="0.5"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="1"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="2.5"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="5"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="10"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="30"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="60"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="120"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="300"} 5
        resilience_retry_delay_seconds_bucket{policy="inventory",le="+Inf"} 5
        resilience_retry_delay_seconds_sum{policy="inventory"} 1
        resilience_retry_delay_seconds_count{policy="inventory"} 5
        # HELP resilience_retry_calls_total Calls made through Policy.retry, by outcome
        # TYPE resilience_retry_calls_total counter
        resilience_retry_calls_total{policy="inventory",outcome="success_with_retry"} 1
        resilience_retry_calls_total{policy="inventory",outcome="failed_with_retry"} 1
        # HELP resilience_retry_stops_total Retry policies that stopped retrying, by stop reason
        # TYPE resilience_retry_stops_total counter
        resilience_retry_stops_total{policy="inventory",reason="max-retries"} 1
        "
      `)
    }).pipe(isolatedMetrics))
})
