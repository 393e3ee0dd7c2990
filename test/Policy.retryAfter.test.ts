import { describe, expect, it } from "@effect/vitest"
import { Data, Duration, Effect, Exit, Option, Schedule } from "effect"
import * as Classify from "../src/Classify.ts"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing, gaps, runToEnd, scripted } from "./helpers.ts"

class Throttled extends Data.TaggedError("Throttled")<{ readonly retryAfter?: Duration.Input }> {}

const hint = (e: Throttled) => e.retryAfter
const backoff = Policy.exponential({ base: 100, jitter: Jitter.none, maxRetries: 5 })

describe("Policy.retryAfter", () => {
  it.effect("the delay is the larger of the hint and the computed delay, and says which one chose it", () =>
    Effect.gen(function*() {
      const op = scripted([
        new Throttled({ retryAfter: "1 second" }),
        new Throttled({}),
        new Throttled({ retryAfter: 50 }),
        "ok"
      ])
      const reasons: Array<Policy.Step["delayReason"]> = []
      const policy = backoff.pipe(Policy.retryAfter(hint, { max: "10 seconds" }))
      const traced = policy.pipe(Schedule.tap(({ output }) => Effect.sync(() => reasons.push(output.delayReason))))
      const exit = yield* runToEnd(Effect.retry(op.effect, traced))
      expect(exit).toStrictEqual(Exit.succeed(4))
      // hint 1000 > backoff 100; no hint: backoff 200; hint 50 < backoff 400.
      expect(gaps(op.starts)).toStrictEqual([1000, 200, 400])
      expect(reasons).toStrictEqual(["retry-after", "backoff", "backoff"])
    }))

  it.effect("a hint above max stops the policy with retry-after-too-long, without sleeping", () =>
    Effect.gen(function*() {
      const op = alwaysFailing(new Throttled({ retryAfter: { hours: 484_289 } }))
      const policy = backoff.pipe(Policy.retryAfter(hint, { max: "1 minute" }))
      const exit = yield* Effect.retryOrElse(op.effect, policy, (_, step) => Effect.succeed(step)).pipe(Effect.exit)
      expect(exit).toStrictEqual(Exit.succeed({
        attempt: 1,
        delay: Duration.hours(484_289),
        elapsed: Duration.zero,
        delayReason: "retry-after",
        stop: "retry-after-too-long"
      }))
      expect(op.starts).toStrictEqual([0])
    }))

  it.effect("a hint too long to count in milliseconds is longer than any max, not an error", () =>
    Effect.gen(function*() {
      // 400 nines of seconds: a finite Duration in nanoseconds whose milliseconds overflow to Infinity.
      const huge = Option.getOrThrow(Classify.parseRetryAfter("9".repeat(400), 0))
      const stopped = yield* runToEnd(
        Effect.retryOrElse(
          alwaysFailing(new Throttled({ retryAfter: huge })).effect,
          backoff.pipe(Policy.retryAfter(hint, { max: "1 minute" })),
          (_, step) => Effect.succeed(step.stop)
        )
      )
      expect(stopped).toStrictEqual(Exit.succeed("retry-after-too-long"))
      const op = scripted([new Throttled({ retryAfter: Duration.infinity }), "ok"])
      const clamped = backoff.pipe(Policy.retryAfter(hint, { max: "1 minute", onTooLong: "clamp" }))
      expect(yield* runToEnd(Effect.retry(op.effect, clamped))).toStrictEqual(Exit.succeed(2))
      expect(gaps(op.starts)).toStrictEqual([60_000])
    }))

  it.effect("onTooLong clamp waits max instead of stopping", () =>
    Effect.gen(function*() {
      const op = scripted([new Throttled({ retryAfter: "2 hours" }), "ok"])
      const policy = backoff.pipe(Policy.retryAfter(hint, { max: "1 minute", onTooLong: "clamp" }))
      expect(yield* runToEnd(Effect.retry(op.effect, policy))).toStrictEqual(Exit.succeed(2))
      expect(gaps(op.starts)).toStrictEqual([60_000])
    }))

  it.effect("hinted delays respect maxElapsed", () =>
    Effect.gen(function*() {
      const op = alwaysFailing(new Throttled({ retryAfter: "5 seconds" }))
      const policy = backoff.pipe(Policy.withMaxElapsed("8 seconds"), Policy.retryAfter(hint, { max: "1 minute" }))
      const exit = yield* runToEnd(Effect.retryOrElse(op.effect, policy, (_, step) => Effect.succeed(step.stop)))
      expect(exit).toStrictEqual(Exit.succeed("max-elapsed"))
      expect(op.starts).toStrictEqual([0, 5000])
    }))

  it.effect("a max-elapsed stop caused by a hint says the refused delay came from the hint", () =>
    Effect.gen(function*() {
      const op = alwaysFailing(new Throttled({ retryAfter: "9 seconds" }))
      const policy = backoff.pipe(Policy.withMaxElapsed("8 seconds"), Policy.retryAfter(hint, { max: "1 minute" }))
      const exit = yield* runToEnd(Effect.retryOrElse(op.effect, policy, (_, step) => Effect.succeed(step)))
      expect(exit).toStrictEqual(Exit.succeed({
        attempt: 1,
        delay: Duration.seconds(9),
        elapsed: Duration.zero,
        delayReason: "retry-after",
        stop: "max-elapsed"
      }))
    }))

  it.effect("hints count as retries toward maxRetries", () =>
    Effect.gen(function*() {
      const op = alwaysFailing(new Throttled({ retryAfter: 10 }))
      const policy = Policy.constant({ delay: 1, maxRetries: 2 }).pipe(Policy.retryAfter(hint, { max: 100 }))
      yield* runToEnd(Effect.retry(op.effect, policy))
      expect(op.starts).toStrictEqual([0, 10, 20])
    }))

  it.effect("the hint receives the current time from Effect's Clock", () =>
    Effect.gen(function*() {
      const seen: Array<number> = []
      const op = scripted(["a", "b", "ok"])
      const policy = Policy.constant({ delay: 250 }).pipe(
        Policy.retryAfter((_: string, now: number) => {
          seen.push(now)
          return undefined
        }, { max: 1000 })
      )
      yield* runToEnd(Effect.retry(op.effect, policy))
      expect(seen).toStrictEqual([0, 250])
    }))

  it.effect("the first of several hints that answers is used", () =>
    Effect.gen(function*() {
      const op = scripted(["a", "ok"])
      const policy = Policy.constant({ delay: 1 }).pipe(
        Policy.retryAfter(() => undefined, { max: 1000 }),
        Policy.retryAfter(() => 300, { max: 1000 }),
        Policy.retryAfter(() => 700, { max: 1000 })
      )
      yield* runToEnd(Effect.retry(op.effect, policy))
      expect(gaps(op.starts)).toStrictEqual([300])
    }))

  it.effect("a hint function that returns a negative duration fails the fiber with a RangeError defect", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("x")
      const policy = Policy.constant({ delay: 1 }).pipe(Policy.retryAfter(() => -5, { max: 1000 }))
      const exit = yield* runToEnd(Effect.retry(op.effect, policy))
      expect(exit).toStrictEqual(Exit.die(
        new RangeError(
          `Policy.retryAfter: option "hint (the value the hint function returned)" must be a non-negative ` +
            `duration, received -5`
        )
      ))
    }))

  it("bad options raise RangeErrors", () => {
    expect(() => backoff.pipe(Policy.retryAfter(hint, { max: -1 }))).toThrow(
      new RangeError(`Policy.retryAfter: option "max" must be a finite, non-negative duration, received -1`)
    )
    expect(() => backoff.pipe(Policy.retryAfter(hint, { max: 1, onTooLong: "wait" as any }))).toThrow(
      new RangeError(`Policy.retryAfter: option "onTooLong" must be "stop" or "clamp", received "wait"`)
    )
  })
})
