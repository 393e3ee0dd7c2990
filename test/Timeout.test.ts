import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Classify from "../src/Classify.ts"
import * as Policy from "../src/Policy.ts"
import * as Timeout from "../src/Timeout.ts"
import { runToEnd } from "./helpers.ts"

describe("Timeout", () => {
  it.effect("an attempt past its timeout is interrupted and fails with AttemptTimeout", () =>
    Effect.gen(function*() {
      let finalized = false
      const slow = Effect.sleep("1 minute").pipe(Effect.onInterrupt(() => Effect.sync(() => finalized = true)))
      const fiber = yield* Effect.forkChild(Timeout.attempt(slow, "2 seconds"))
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new Timeout.AttemptTimeout({ timeout: 2000 })))
      expect(finalized).toBe(true)
    }))

  it.effect("an attempt timeout is retried by a policy around it", () =>
    Effect.gen(function*() {
      let runs = 0
      const op = Effect.suspend(() => ++runs < 3 ? Effect.sleep("1 minute") : Effect.succeed(runs))
      const exit = yield* runToEnd(op.pipe(Timeout.attempt(100), Effect.retry(Policy.constant({ delay: 10 }))))
      expect(exit).toStrictEqual(Exit.succeed(3))
    }))

  it.effect("a total timeout interrupts a retry sleeping between attempts and is not retried", () =>
    Effect.gen(function*() {
      let runs = 0
      const op = Effect.suspend(() => {
        runs++
        return Effect.fail("down")
      })
      const fiber = yield* Effect.forkChild(
        op.pipe(Effect.retry(Policy.constant({ delay: "1 minute", maxRetries: 10 })), Timeout.total("90 seconds"))
      )
      yield* TestClock.adjust("90 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new Timeout.TotalTimeout({ timeout: 90_000 })))
      expect(runs).toBe(2)
    }))

  it("the errors are rejections of this library's, with readable messages", () => {
    const attempt = new Timeout.AttemptTimeout({ timeout: 250 })
    expect(Classify.isRejection(attempt)).toBe(true)
    expect(Classify.isRejection(new Timeout.TotalTimeout({ timeout: 1 }))).toBe(true)
    expect(Timeout.isAttemptTimeout(attempt)).toBe(true)
    expect(Timeout.isTotalTimeout(attempt)).toBe(false)
    expect(Timeout.isAttemptTimeout({ _tag: "AttemptTimeout" })).toBe(false)
    expect(attempt.message).toBe("The attempt timed out after 250 ms")
  })

  it("a zero, negative or infinite timeout raises a RangeError", () => {
    expect(() => Timeout.attempt(Effect.void, 0)).toThrow(
      new RangeError(`Timeout.attempt: option "timeout" must be a positive, finite duration, received 0`)
    )
    expect(() => Timeout.total(Effect.void, -1)).toThrow(
      new RangeError(`Timeout.total: option "timeout" must be a finite, non-negative duration, received -1`)
    )
    expect(() => Timeout.total("Infinity")).toThrow(RangeError)
  })
})
