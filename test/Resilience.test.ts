import { describe, expect, it } from "@effect/vitest"
import { Clock, Data, Effect, Exit, Fiber, Random } from "effect"
import type { HttpClientError } from "effect/http"
import { TestClock } from "effect/testing"
import * as Bulkhead from "../src/Bulkhead.ts"
import * as Policy from "../src/Policy.ts"
import * as Resilience from "../src/Resilience.ts"
import * as RetryBudget from "../src/RetryBudget.ts"
import * as Timeout from "../src/Timeout.ts"
import { runToEnd, timedFailures } from "./helpers.ts"

class Unavailable extends Data.TaggedError("Unavailable")<{}> {}
class Invalid extends Data.TaggedError("Invalid")<{}> {}

const timed = (durations: ReadonlyArray<number>) => timedFailures(durations, new Unavailable())

describe("Resilience.make", () => {
  it.effect("an attempt timeout inside the retry is retried; each attempt has its own clock", () =>
    Effect.gen(function*() {
      const op = timed([5000, 5000])
      const resilient = yield* Resilience.make({
        retry: Policy.constant<Unavailable>({ delay: 100, maxRetries: 3 }),
        attemptTimeout: "1 second"
      })
      const exit = yield* runToEnd(resilient(op.effect))
      expect(exit).toStrictEqual(Exit.succeed(3))
      expect(op.starts).toStrictEqual([0, 1100, 2200])
    }))

  it.effect("the total timeout bounds the call with its retries and sleeps, and is not retried", () =>
    Effect.gen(function*() {
      const op = timed([0, 0, 0, 0, 0])
      const resilient = yield* Resilience.make({
        totalTimeout: "2500 millis",
        retry: Policy.constant<Unavailable>({ delay: 1000, maxRetries: 10 })
      })
      const fiber = yield* Effect.forkChild(resilient(op.effect))
      yield* TestClock.adjust("2500 millis")
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new Timeout.TotalTimeout({ timeout: 2500 })))
      expect(op.starts).toStrictEqual([0, 1000, 2000])
    }))

  it.effect("the bulkhead is outermost: a call keeps its slot through every retry; a full one rejects at once", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1 })
      const resilient = yield* Resilience.make({
        bulkhead,
        retry: Policy.constant<Unavailable>({ delay: 1000, maxRetries: 2 })
      })
      const first = timed([0, 0])
      const running = yield* Effect.forkChild(resilient(first.effect))
      yield* TestClock.adjust(500)
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })
      const second = timed([])
      const rejected = yield* Effect.exit(resilient(second.effect))
      expect(rejected).toStrictEqual(
        Exit.fail(new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: 0 }))
      )
      expect(second.starts).toStrictEqual([])
      yield* TestClock.adjust(2000)
      expect(yield* Fiber.join(running)).toBe(3)
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
    }))

  it.effect("the policy's classifiers see only the call's failures; attempt timeouts pass them by", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const policy = Policy.constant<Unavailable | Invalid>({ delay: 10, maxRetries: 5 }).pipe(
        Policy.retryWhile((e: Unavailable | Invalid) => {
          seen.push(e._tag)
          return e._tag === "Unavailable"
        })
      )
      const resilient = yield* Resilience.make({ retry: policy, attemptTimeout: 100 })
      let runs = 0
      const op = Effect.suspend((): Effect.Effect<never, Unavailable | Invalid> => {
        runs++
        return runs === 1 ? Effect.never : runs === 2 ? Effect.fail(new Unavailable()) : Effect.fail(new Invalid())
      })
      const error = yield* runToEnd(Effect.flip(resilient(op)))
      expect(error).toStrictEqual(Exit.succeed(new Invalid()))
      expect(seen).toStrictEqual(["Unavailable", "Invalid"])
    }))

  it.effect("attempt timeouts draw on the budget for their retries but never count against the downstream", () =>
    Effect.gen(function*() {
      const resilient = yield* Resilience.make({
        retry: Policy.constant({ delay: 10, maxRetries: 2 }).pipe(Policy.withBudget("slow")),
        attemptTimeout: 100
      })
      yield* runToEnd(resilient(Effect.never))
      const store = yield* RetryBudget.RetryBudget
      expect(yield* store.state("slow", 0)).toStrictEqual({ algorithm: "token-bucket", tokens: 10, maxTokens: 10 })
    }).pipe(Effect.provide(RetryBudget.layerMemory({ algorithm: "token-bucket", maxTokens: 10 }))))

  it.effect("rejections raised by the call itself, like a nested pipeline's timeout, go through the classifiers", () =>
    Effect.gen(function*() {
      let runs = 0
      const nested = Effect.suspend(() => {
        runs++
        return Effect.never
      }).pipe(Timeout.total(50))
      const neverRetry = Policy.constant({ delay: 100, maxRetries: 3 }).pipe(Policy.retryWhile((_: unknown) => false))
      const resilient = yield* Resilience.make({ retry: neverRetry })
      const error = yield* runToEnd(Effect.flip(resilient(nested)))
      expect(error).toStrictEqual(Exit.succeed(new Timeout.TotalTimeout({ timeout: 50 })))
      expect(runs).toBe(1)
    }))

  it.effect("a bulkhead given as options is made once and shared by every call", () =>
    Effect.gen(function*() {
      const resilient = yield* Resilience.make({ bulkhead: { maxConcurrent: 1 } })
      const running = yield* Effect.forkChild(resilient(Effect.never))
      yield* Effect.yieldNow
      const exit = yield* Effect.exit(resilient(Effect.void))
      expect(
        Exit.isFailure(exit) &&
          Bulkhead.isBulkheadRejected(exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error : undefined)
      ).toBe(true)
      yield* Fiber.interrupt(running)
    }))

  it.effect("with no options it is the call itself", () =>
    Effect.gen(function*() {
      const resilient = yield* Resilience.make({})
      expect(yield* resilient(Effect.succeed(1))).toBe(1)
    }))

  it("bad options raise a RangeError when the pipeline is made", () => {
    expect(() => Resilience.make({ attemptTimeout: 0 })).toThrow(
      new RangeError(`Resilience.make: option "attemptTimeout" must be a positive, finite duration, received 0`)
    )
    expect(() => Resilience.make({ hedge: { delay: -1 } })).toThrow(
      new RangeError(`Resilience.make: option "hedge.delay" must be a finite, non-negative duration, received -1`)
    )
    expect(() => Resilience.make({ attemptTimout: 5 } as any)).toThrow(RangeError)
    expect(() => Resilience.make({ bulkhead: { maxConcurrent: 5, maxQueue: 100 } as any })).toThrow(
      new RangeError(
        `Resilience.make: option "bulkhead.maxQueue" must be one of "maxConcurrent", "maxQueued", "name", ` +
          `received "maxQueue"`
      )
    )
    expect(() => Resilience.make({ bulkhead: null as any })).toThrow(RangeError)
    expect(() => Resilience.standard({ name: "" })).toThrow(
      new RangeError(`Resilience.standard: option "name" must be a non-empty string, received ""`)
    )
    expect(() => Resilience.make({ retry: {} as any })).toThrow(
      new RangeError(`Resilience.make: option "retry" must be a Policy, received {}`)
    )
    expect(() => Resilience.make({ bulkhead: { maxConcurrent: 0 } })).toThrow(RangeError)
  })
})

describe("Resilience.standard", () => {
  it.effect("has the defaults of .NET's standard HTTP resilience handler", () =>
    Effect.gen(function*() {
      // Attempts that never answer: each is cut by the 10 s attempt timeout, which the preset retries.
      const starts: Array<number> = []
      const hanging: Effect.Effect<never, HttpClientError.HttpClientError> = Effect.andThen(
        Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => starts.push(now))),
        Effect.never
      )
      const resilient = yield* Resilience.standard({ name: "catalog" })
      const fiber = yield* Effect.forkChild(resilient(hanging))
      yield* TestClock.adjust("30 seconds")
      // Every attempt times out after 10 s; the third is cut by the 30 s total timeout.
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new Timeout.TotalTimeout({ timeout: 30_000 })))
      // Attempts start at 0, then 10 s plus a decorrelated delay of about 2 s, and so on, until 30 s.
      expect(starts.length).toBe(3)
      expect(starts[0]).toBe(0)
    }).pipe(Random.withSeed(1)))
})
