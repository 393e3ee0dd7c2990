import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Schedule } from "effect"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing, gaps, runToEnd, scripted } from "./helpers.ts"

describe("Policy counting", () => {
  it.effect("maxRetries n runs at most n + 1 executions and fails with the last error", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("unavailable")
      const exit = yield* runToEnd(Effect.retry(op.effect, Policy.constant({ delay: 10, maxRetries: 4 })))
      expect(exit).toStrictEqual(Exit.fail("unavailable"))
      expect(op.starts).toStrictEqual([0, 10, 20, 30, 40])
    }))

  it.effect("maxRetries 0 runs once and never sleeps", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("unavailable")
      const exit = yield* Effect.exit(Effect.retry(op.effect, Policy.exponential({ maxRetries: 0 })))
      expect(exit).toStrictEqual(Exit.fail("unavailable"))
      expect(op.starts).toStrictEqual([0])
    }))

  it.effect("the default is 3 retries, 4 executions, for every constructor", () =>
    Effect.gen(function*() {
      for (
        const policy of [
          Policy.constant(),
          Policy.linear(),
          Policy.exponential(),
          Policy.fibonacci(),
          Policy.decorrelated()
        ]
      ) {
        const op = alwaysFailing("down")
        yield* runToEnd(Effect.retry(op.effect, policy))
        expect(op.starts.length).toBe(4)
      }
    }))

  it.effect("succeeds as soon as an attempt succeeds", () =>
    Effect.gen(function*() {
      const op = scripted(["a", "b", "ok"])
      const exit = yield* runToEnd(Effect.retry(op.effect, Policy.linear({ base: 100, maxRetries: 5 })))
      expect(exit).toStrictEqual(Exit.succeed(3))
      expect(gaps(op.starts)).toStrictEqual([100, 200])
    }))

  it.effect("Infinity retries until success, only when asked for", () =>
    Effect.gen(function*() {
      const script = [...Array.from({ length: 50 }, () => "down"), "ok" as const]
      const op = scripted(script)
      const policy = Policy.constant({ delay: 1, maxRetries: Infinity })
      const exit = yield* runToEnd(Effect.retry(op.effect, policy))
      expect(exit).toStrictEqual(Exit.succeed(51))
    }))

  it.effect("withMaxRetries replaces the count in either calling style", () =>
    Effect.gen(function*() {
      const piped = Policy.exponential({ jitter: Jitter.none }).pipe(Policy.withMaxRetries(5))
      const direct = Policy.withMaxRetries(Policy.exponential({ jitter: Jitter.none }), 1)
      expect((yield* Policy.delays(piped, { retries: 10 })).length).toBe(5)
      expect((yield* Policy.delays(direct, { retries: 10 })).length).toBe(1)
    }))

  it.effect("retryOrElse hands the handler the stop step: attempt is the refused retry, stop is max-retries", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      const policy = Policy.constant({ delay: 250, maxRetries: 2 })
      const exit = yield* runToEnd(
        Effect.retryOrElse(op.effect, policy, (error, step) => Effect.succeed({ error, step }))
      )
      expect(exit).toStrictEqual(Exit.succeed({
        error: "down",
        step: {
          attempt: 3,
          delay: Duration.zero,
          elapsed: Duration.millis(500),
          delayReason: "backoff",
          stop: "max-retries"
        }
      }))
    }))

  it.effect("each step outputs attempt, delay and elapsed to Schedule consumers", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      const outputs: Array<Policy.Step> = []
      const observed = Policy.linear({ base: 100, maxRetries: 2 }).pipe(
        Schedule.tap(({ output }) => Effect.sync(() => outputs.push(output)))
      )
      yield* runToEnd(Effect.retry(op.effect, observed))
      expect(outputs).toStrictEqual([
        { attempt: 1, delay: Duration.millis(100), elapsed: Duration.zero, delayReason: "backoff", stop: undefined },
        {
          attempt: 2,
          delay: Duration.millis(200),
          elapsed: Duration.millis(100),
          delayReason: "backoff",
          stop: undefined
        }
      ])
    }))
})
