import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { gaps, runToEnd, timedFailures } from "./helpers.ts"

const policy = Policy.exponential({ base: 100, jitter: Jitter.none, maxRetries: 3 })

describe("Policy.resetAfter", () => {
  it.effect("an attempt that ran at least the reset duration starts the curve and the count over", () =>
    Effect.gen(function*() {
      // Three quick failures (100, 200, 400 ms backoff), then one attempt that runs 60 s before failing,
      // then three more quick failures: without the reset the count of 3 would have ended the call.
      const op = timedFailures([0, 0, 0, 60_000, 0, 0], "down")
      const exit = yield* runToEnd(Effect.retry(op.effect, policy.pipe(Policy.resetAfter("1 minute"))))
      expect(exit).toStrictEqual(Exit.succeed(7))
      const starts = op.starts
      expect(gaps(starts)).toStrictEqual([100, 200, 400, 60_100, 200, 400])
    }))

  it.effect("without a reset the same script stops after maxRetries", () =>
    Effect.gen(function*() {
      const op = timedFailures([0, 0, 0, 60_000, 0, 0], "down")
      const exit = yield* runToEnd(Effect.retry(op.effect, policy))
      expect(exit).toStrictEqual(Exit.fail("down"))
      expect(op.starts.length).toBe(4)
    }))

  it.effect("the policy's own sleeps never count as health", () =>
    Effect.gen(function*() {
      // Delays reach 400 ms; a reset duration of 300 ms would fire on every retry if sleeps counted.
      const op = timedFailures([0, 0, 0, 0, 0], "down")
      const exit = yield* runToEnd(Effect.retry(op.effect, policy.pipe(Policy.resetAfter(300))))
      expect(exit).toStrictEqual(Exit.fail("down"))
      expect(op.starts.length).toBe(4)
    }))

  it.effect("after a reset, maxElapsed counts afresh from the failure that ended the healthy attempt", () =>
    Effect.gen(function*() {
      // Attempt 2 runs 10 s (longer than maxElapsed itself) and fails at 11 s; the window restarts there,
      // so retries follow at 12, 13, 14, 15 and 16 s, and the one that would end at 17 s is refused.
      const op = timedFailures([0, 10_000, 0, 0, 0, 0, 0], "down")
      const limited = Policy.constant({ delay: 1000, maxRetries: Infinity, maxElapsed: 5000 }).pipe(
        Policy.resetAfter("5 seconds")
      )
      const exit = yield* runToEnd(Effect.retry(op.effect, limited))
      expect(exit).toStrictEqual(Exit.fail("down"))
      expect(op.starts).toStrictEqual([0, 1000, 12_000, 13_000, 14_000, 15_000, 16_000])
    }))

  it("a zero or invalid duration raises a RangeError", () => {
    expect(() => policy.pipe(Policy.resetAfter(0))).toThrow(
      new RangeError(`Policy.resetAfter: option "duration" must be a positive duration, received 0`)
    )
    expect(() => policy.pipe(Policy.resetAfter("soon" as any))).toThrow(RangeError)
  })
})
