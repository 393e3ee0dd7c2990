import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing, runToEnd } from "./helpers.ts"

describe("Policy maxElapsed", () => {
  it.effect("counts from the start of the first attempt, including the attempts' own time", () =>
    Effect.gen(function*() {
      const starts: Array<number> = []
      // Each attempt takes 300 ms before failing; delays are 100 ms.
      const slow = Effect.gen(function*() {
        starts.push(yield* Clock.currentTimeMillis)
        yield* Effect.sleep(300)
        return yield* Effect.fail("down")
      })
      const policy = Policy.constant({ delay: 100, maxRetries: Infinity, maxElapsed: 1000 })
      const exit = yield* runToEnd(Effect.retryOrElse(slow, policy, (_, step) => Effect.succeed(step)))
      // Attempts start at 0, 400, 800; the third fails at 1100, already past 1000 ms.
      expect(starts).toStrictEqual([0, 400, 800])
      expect(exit).toStrictEqual(Exit.succeed({
        attempt: 3,
        delay: Duration.millis(100),
        elapsed: Duration.millis(1100),
        delayReason: "backoff",
        stop: "max-elapsed"
      }))
    }))

  it.effect("a retry whose delay would end past the deadline is not taken, and the policy does not sleep", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      const policy = Policy.linear({ base: 400, maxRetries: Infinity }).pipe(Policy.withMaxElapsed(1000))
      const fiber = yield* Effect.forkChild(Effect.retryOrElse(op.effect, policy, (_, step) => Effect.succeed(step)))
      // Delays 400, 800: the second would end at 1200 > 1000, so the policy stops at 400 without sleeping.
      yield* TestClock.adjust(400)
      const step = yield* Fiber.join(fiber)
      expect(op.starts).toStrictEqual([0, 400])
      expect(step.stop).toBe("max-elapsed")
      expect(Duration.toMillis(step.delay)).toBe(800)
      expect(Duration.toMillis(step.elapsed)).toBe(400)
    }))

  it.effect("a delay that ends exactly at the deadline is taken", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      const policy = Policy.constant({ delay: 500, maxRetries: Infinity, maxElapsed: 1000 })
      yield* runToEnd(Effect.retry(op.effect, policy))
      expect(op.starts).toStrictEqual([0, 500, 1000])
    }))

  it.effect("with maxElapsed 0, only retries that end exactly at the start run (zero delays)", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      yield* runToEnd(Effect.retry(op.effect, Policy.constant({ delay: 0, maxElapsed: 0, maxRetries: 5 })))
      expect(op.starts).toStrictEqual([0, 0, 0, 0, 0, 0])
    }))
})
