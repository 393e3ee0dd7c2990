import { describe, expect, it } from "@effect/vitest"
import { Data, Duration, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing, runToEnd, scripted } from "./helpers.ts"

class Unavailable extends Data.TaggedError("Unavailable")<{ readonly retryInMs?: number }> {}
class BadRequest extends Data.TaggedError("BadRequest")<{}> {}
type ApiError = Unavailable | BadRequest

const isUnavailable = (e: ApiError): e is Unavailable => e._tag === "Unavailable"

describe("Policy.retryWhile", () => {
  it.effect("a rejected failure stops the policy at once, without sleeping, and the program fails with it", () =>
    Effect.gen(function*() {
      const op = scripted<ApiError>([new Unavailable({}), new BadRequest(), "ok"])
      const policy = Policy.constant({ delay: 1000, maxRetries: 5 }).pipe(Policy.retryWhile(isUnavailable))
      const fiber = yield* Effect.forkChild(Effect.retry(op.effect, policy))
      yield* TestClock.adjust(1000)
      // The BadRequest at 1000 ms ends the call there: no further clock movement is needed.
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new BadRequest()))
      expect(op.starts).toStrictEqual([0, 1000])
    }))

  it.effect("the stop step carries not-retryable", () =>
    Effect.gen(function*() {
      const op = alwaysFailing<ApiError>(new BadRequest())
      const policy = Policy.exponential().pipe(Policy.retryWhile(isUnavailable))
      const exit = yield* runToEnd(Effect.retryOrElse(op.effect, policy, (_, step) => Effect.succeed(step.stop)))
      expect(exit).toStrictEqual(Exit.succeed("not-retryable"))
      expect(op.starts).toStrictEqual([0])
    }))

  it.effect("several classifiers must all accept a failure", () =>
    Effect.gen(function*() {
      const op = alwaysFailing<ApiError>(new Unavailable({ retryInMs: 5 }))
      const policy = Policy.constant({ delay: 10 }).pipe(
        Policy.retryWhile(isUnavailable),
        Policy.retryWhile((e: Unavailable) => e.retryInMs !== 5)
      )
      const exit = yield* runToEnd(Effect.retry(op.effect, policy))
      expect(exit).toStrictEqual(Exit.fail(new Unavailable({ retryInMs: 5 })))
      expect(op.starts).toStrictEqual([0])
    }))

  it.effect("the data-first form infers the error type from the policy", () =>
    Effect.gen(function*() {
      const op = scripted<ApiError>([new Unavailable({}), new Unavailable({}), "ok"])
      const typed = Policy.constant<ApiError>({ delay: 10 })
      const policy = Policy.retryWhile(typed, (e) => e._tag === "Unavailable")
      expect(yield* runToEnd(Effect.retry(op.effect, policy))).toStrictEqual(Exit.succeed(3))
    }))

  it.effect("defects are not retried: a thrown error ends the call with that defect", () =>
    Effect.gen(function*() {
      let runs = 0
      const defect = new Error("bug")
      const program = Effect.suspend(() => {
        runs++
        return Effect.die(defect)
      })
      const exit = yield* runToEnd(Effect.retry(program, Policy.constant({ delay: 10, maxRetries: 5 })))
      expect(exit).toStrictEqual(Exit.die(defect))
      expect(runs).toBe(1)
    }))

  it.effect("a non-function predicate raises a RangeError", () =>
    Effect.sync(() => {
      expect(() => Policy.retryWhile(Policy.exponential(), "yes" as any)).toThrow(
        new RangeError(`Policy.retryWhile: option "predicate" must be a function, received "yes"`)
      )
    }))

  it.effect("step elapsed reports time from the first attempt to the failure", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      const exit = yield* runToEnd(
        Effect.retryOrElse(op.effect, Policy.constant({ delay: 70, maxRetries: 2 }), (_, s) => Effect.succeed(s))
      )
      expect(Exit.isSuccess(exit) && Duration.toMillis(exit.value.elapsed)).toBe(140)
    }))
})
