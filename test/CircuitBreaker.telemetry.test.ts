import { describe, expect, it } from "@effect/vitest"
import { Data, Effect, Fiber, Metric } from "effect"
import { TestClock } from "effect/testing"
import * as Bulkhead from "../src/Bulkhead.ts"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"
import { isolatedMetrics, recordingLogger, series } from "./telemetry.ts"

class Down extends Data.TaggedError("Down") {}

const start = <A, E>(effect: Effect.Effect<A, E>) => Effect.forkChild(effect, { startImmediately: true })

/** Every series of a breaker named "payments", by outcome, edge and state; absent series read as undefined. */
const readings = Effect.gen(function*() {
  const call = (outcome: string) =>
    Effect.map(series("resilience_breaker_calls_total", { policy: "payments", outcome }), (s) => s?.count)
  const edge = (from: string, to: string) =>
    Effect.map(series("resilience_breaker_transitions_total", { policy: "payments", from, to }), (s) => s?.count)
  return {
    success: yield* call("success"),
    failure: yield* call("failure"),
    rejected: yield* call("rejected"),
    ignored: yield* call("ignored"),
    opened: yield* edge("closed", "open"),
    probing: yield* edge("open", "half-open"),
    reclosed: yield* edge("half-open", "closed"),
    reopened: yield* edge("half-open", "open"),
    isolated: yield* edge("closed", "isolated"),
    reset: yield* edge("isolated", "closed"),
    state: (yield* series("resilience_breaker_state", { policy: "payments" }))?.value
  }
})

const none = {
  success: undefined,
  failure: undefined,
  rejected: undefined,
  ignored: undefined,
  opened: undefined,
  probing: undefined,
  reclosed: undefined,
  reopened: undefined,
  isolated: undefined,
  reset: undefined
}

describe("CircuitBreaker telemetry", () => {
  it.effect("a named breaker counts calls by outcome, transitions by edge, and reports its state", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({
        name: "payments",
        trip: "consecutive",
        failures: 2,
        breakDuration: "1 second"
      })
      expect(yield* readings).toStrictEqual({ ...none, state: 0 })

      yield* breaker.run(Effect.succeed(1))
      yield* Effect.exit(breaker.run(Effect.fail(new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: 0 }))))
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      yield* Effect.exit(breaker.run(Effect.die("bug")))
      expect(yield* readings).toStrictEqual({ ...none, success: 1, failure: 2, ignored: 1, opened: 1, state: 2 })

      yield* Effect.exit(breaker.run(Effect.succeed(1)))
      yield* TestClock.adjust("1 second")
      const probe = yield* start(breaker.run(Effect.sleep(100)))
      expect(yield* readings).toStrictEqual({
        ...none,
        success: 1,
        failure: 2,
        ignored: 1,
        rejected: 1,
        opened: 1,
        probing: 1,
        state: 1
      })
      yield* TestClock.adjust(100)
      yield* Fiber.join(probe)
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      yield* breaker.isolate
      yield* Effect.exit(breaker.run(Effect.succeed(1)))
      expect(yield* readings).toStrictEqual({
        ...none,
        success: 2,
        failure: 3,
        ignored: 1,
        rejected: 2,
        opened: 1,
        probing: 1,
        reclosed: 1,
        isolated: 1,
        state: 3
      })
      yield* breaker.reset
      expect(yield* readings).toMatchObject({ reset: 1, state: 0 })
    }).pipe(isolatedMetrics))

  it.effect("a half-open probe that fails is counted as a failure and as the edge half-open to open", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ name: "payments", trip: "consecutive", failures: 1 })
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      yield* TestClock.adjust("5 seconds")
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      expect(yield* readings).toStrictEqual({ ...none, failure: 2, opened: 1, probing: 1, reopened: 1, state: 2 })
    }).pipe(isolatedMetrics))

  it.effect("an unnamed breaker records nothing", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1 })
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      yield* Effect.exit(breaker.run(Effect.succeed(1)))
      yield* breaker.isolate
      expect(yield* Metric.snapshot).toStrictEqual([])
    }).pipe(isolatedMetrics))

  it.effect("a named breaker logs each transition at Debug, with its edge and reason; an unnamed one does not", () => {
    const { entries, provide } = recordingLogger()
    return Effect.gen(function*() {
      const unnamed = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1 })
      yield* Effect.exit(unnamed.run(Effect.fail(new Down())))
      expect(entries).toStrictEqual([])

      const named = yield* CircuitBreaker.make({ name: "payments", trip: "consecutive", failures: 1 })
      yield* Effect.exit(named.run(Effect.fail(new Down())))
      yield* named.reset
      expect(entries).toStrictEqual([
        {
          message: "circuit transition",
          level: "Debug",
          annotations: { policy: "payments", from: "closed", to: "open", reason: "consecutive-failures" }
        },
        {
          message: "circuit transition",
          level: "Debug",
          annotations: { policy: "payments", from: "open", to: "closed", reason: "reset" }
        }
      ])
    }).pipe(provide, isolatedMetrics)
  })
})
