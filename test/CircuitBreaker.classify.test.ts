import { describe, expect, it } from "@effect/vitest"
import { Cause, Data, Duration, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Bulkhead from "../src/Bulkhead.ts"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"
import * as Classify from "../src/Classify.ts"
import * as Timeout from "../src/Timeout.ts"

class Down extends Data.TaggedError("Down") {}
class NotFound extends Data.TaggedError("NotFound") {}

const start = <A, E>(effect: Effect.Effect<A, E>) => Effect.forkChild(effect, { startImmediately: true })

/** The counts that decide whether a closed circuit opens. */
const counts = (breaker: CircuitBreaker.CircuitBreaker) =>
  Effect.map(breaker.state, ({ calls, circuit, consecutiveFailures, failures }) => ({
    circuit,
    calls,
    failures,
    consecutiveFailures
  }))

/** A breaker that never opens in these tests, so that every outcome shows in its counts. */
const counting = (options?: Partial<CircuitBreaker.FailureRatioOptions>) =>
  CircuitBreaker.make({ minimumThroughput: 1_000, ...options })

describe("CircuitBreaker classification", () => {
  it.effect("by default every typed failure counts, and so does a defect", () =>
    Effect.gen(function*() {
      const breaker = yield* counting()
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      yield* Effect.exit(breaker.run(Effect.fail(new NotFound())))
      yield* Effect.exit(breaker.run(Effect.die(new Error("bug"))))
      yield* Effect.exit(breaker.run(Effect.promise(() => Promise.reject(new Error("rejected")))))
      expect(yield* counts(breaker)).toStrictEqual({ circuit: "closed", calls: 4, failures: 4, consecutiveFailures: 4 })
    }))

  it.effect("a failure isFailure rejects counts as a success: the dependency answered", () =>
    Effect.gen(function*() {
      const breaker = yield* counting({ isFailure: Classify.tags("Down") })
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      const exit = yield* Effect.exit(breaker.run(Effect.fail(new NotFound())))
      expect(exit).toStrictEqual(Exit.fail(new NotFound()))
      expect(yield* counts(breaker)).toStrictEqual({ circuit: "closed", calls: 2, failures: 1, consecutiveFailures: 0 })
    }))

  it.effect("isFailure sees only typed failures that are not this library's rejections", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      const breaker = yield* counting({ isFailure: (error) => seen.push(error) > 0 })
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      yield* Effect.exit(breaker.run(Effect.die("bug")))
      yield* Effect.exit(breaker.run(Effect.fail(new Timeout.AttemptTimeout({ timeout: 10 }))))
      yield* Effect.exit(breaker.run(Effect.succeed(1)))
      expect(seen).toStrictEqual([new Down()])
    }))

  it.effect("this library's rejections never count: bulkheads, timeouts, other breakers", () =>
    Effect.gen(function*() {
      const breaker = yield* counting()
      const other = yield* CircuitBreaker.make()
      yield* other.isolate
      const rejections: Array<Effect.Effect<unknown, unknown>> = [
        Effect.fail(new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: 0 })),
        Timeout.attempt(Effect.never, "1 second"),
        Timeout.total(Effect.never, "1 second"),
        other.run(Effect.succeed(1))
      ]
      for (const rejection of rejections) {
        const fiber = yield* start(breaker.run(rejection))
        yield* TestClock.adjust("1 second")
        const exit = yield* Fiber.await(fiber)
        expect(Exit.isFailure(exit) && Classify.isRejection(Cause.squash(exit.cause))).toBe(true)
      }
      expect(yield* counts(breaker)).toStrictEqual({ circuit: "closed", calls: 0, failures: 0, consecutiveFailures: 0 })
    }))

  it.effect("an interrupted call never counts, whoever interrupts it", () =>
    Effect.gen(function*() {
      const breaker = yield* counting()
      const interrupted = yield* start(breaker.run(Effect.never))
      yield* Fiber.interrupt(interrupted)
      const timedOut = yield* start(breaker.run(Effect.never).pipe(Effect.timeout("1 second")))
      yield* TestClock.adjust("1 second")
      yield* Fiber.await(timedOut)
      yield* Effect.exit(breaker.run(Effect.interrupt))
      expect(yield* counts(breaker)).toStrictEqual({ circuit: "closed", calls: 0, failures: 0, consecutiveFailures: 0 })
    }))

  it.effect("an isFailure that throws makes the call die with what it threw, and the call counts as nothing", () =>
    Effect.gen(function*() {
      const broken = new Error("broken classifier")
      const breaker = yield* counting({
        isFailure: () => {
          throw broken
        }
      })
      const exit = yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      // As with any failing finalizer, the call's own failure becomes a defect beside the new one.
      expect(exit._tag).toBe("Failure")
      const reasons = (exit as Exit.Failure<unknown, unknown>).cause.reasons
      expect(reasons.map((reason) => reason._tag)).toStrictEqual(["Die", "Die"])
      expect(reasons.filter(Cause.isDieReason).map((reason) => reason.defect)).toStrictEqual([new Down(), broken])
      expect(yield* counts(breaker)).toStrictEqual({ circuit: "closed", calls: 0, failures: 0, consecutiveFailures: 0 })
    }))
})

describe("CircuitBreaker slow calls", () => {
  const slowly = <A, E>(millis: number, end: Effect.Effect<A, E>) => Effect.andThen(Effect.sleep(millis), end)

  /** Runs a call that takes `millis`, moving the TestClock for it, and returns its exit. */
  const timed = <A, E>(breaker: CircuitBreaker.CircuitBreaker, millis: number, end: Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const fiber = yield* start(breaker.run(slowly(millis, end)))
      yield* TestClock.adjust(millis)
      return yield* Fiber.await(fiber)
    })

  it.effect("a call that runs longer than slowCallDuration counts as a failure, even when it succeeds", () =>
    Effect.gen(function*() {
      const breaker = yield* counting({ slowCallDuration: "1 second" })
      expect(yield* timed(breaker, 1_000, Effect.succeed("on time"))).toStrictEqual(Exit.succeed("on time"))
      expect(yield* counts(breaker)).toStrictEqual({ circuit: "closed", calls: 1, failures: 0, consecutiveFailures: 0 })
      expect(yield* timed(breaker, 1_001, Effect.succeed("late"))).toStrictEqual(Exit.succeed("late"))
      expect(yield* counts(breaker)).toStrictEqual({ circuit: "closed", calls: 2, failures: 1, consecutiveFailures: 1 })
    }))

  it.effect("slow calls open the circuit like failures", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 2, slowCallDuration: 500 })
      yield* timed(breaker, 600, Effect.succeed(1))
      yield* timed(breaker, 600, Effect.fail(new NotFound()))
      expect((yield* breaker.state).circuit).toBe("open")
    }))

  it.effect("a call that isFailure would let pass still counts as a failure when it is slow", () =>
    Effect.gen(function*() {
      const breaker = yield* counting({ slowCallDuration: 500, isFailure: () => false })
      yield* timed(breaker, 501, Effect.fail(new NotFound()))
      expect(yield* counts(breaker)).toMatchObject({ calls: 1, failures: 1 })
    }))

  it.effect("an attempt timeout inside the breaker counts as slow once it is past slowCallDuration", () =>
    Effect.gen(function*() {
      const breaker = yield* counting({ slowCallDuration: "2 seconds" })
      const unbounded = yield* counting()
      for (const b of [breaker, unbounded]) {
        const fiber = yield* start(b.run(Effect.never.pipe(Timeout.attempt("2500 millis"))))
        yield* TestClock.adjust(2_500)
        expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new Timeout.AttemptTimeout({ timeout: 2_500 })))
      }
      expect(yield* counts(breaker)).toMatchObject({ calls: 1, failures: 1 })
      expect(yield* counts(unbounded)).toMatchObject({ calls: 0, failures: 0 })
    }))

  it.effect("a slow call that is interrupted counts as nothing", () =>
    Effect.gen(function*() {
      const breaker = yield* counting({ slowCallDuration: 100 })
      const fiber = yield* start(breaker.run(Effect.never))
      yield* TestClock.adjust(1_000)
      yield* Fiber.interrupt(fiber)
      expect(yield* counts(breaker)).toMatchObject({ calls: 0, failures: 0 })
    }))

  it.effect("a slow probe fails, and the circuit opens again", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({
        trip: "consecutive",
        failures: 1,
        breakDuration: "5 seconds",
        slowCallDuration: "1 second"
      })
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      yield* TestClock.adjust("5 seconds")
      yield* timed(breaker, 1_500, Effect.succeed("late"))
      const state = yield* breaker.state
      expect([state.circuit, Duration.toMillis(state.retryAfter)]).toStrictEqual(["open", 5_000])
    }))
})
