import { describe, expect, it } from "@effect/vitest"
import { Clock, Data, Duration, Effect, Exit } from "effect"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import * as Resilience from "../src/Resilience.ts"
import { runToEnd } from "./helpers.ts"

class Unavailable extends Data.TaggedError("Unavailable")<{}> {}

// A dependency that fails until `recoversAt` (ms on the clock), recording when it was really called.
const dependency = (recoversAt: number) => {
  const calls: Array<number> = []
  const effect = Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    calls.push(now)
    if (now < recoversAt) return yield* Effect.fail(new Unavailable())
    return "ok"
  })
  return { calls, effect }
}

const breakerOptions = { trip: "consecutive", failures: 2, breakDuration: "5 seconds" } as const
const backoff = Policy.constant<Unavailable>({ delay: 100, maxRetries: 10, jitter: Jitter.none })
// Outside the pipeline, a policy around a breaker must accept its rejection: the type checker says so.
const direct = Policy.constant<Unavailable | CircuitBreaker.CircuitOpen>({ delay: 100, maxRetries: 10 })

describe("retries meeting an open circuit", () => {
  it.effect("wait until the circuit may admit a probe instead of spending attempts against it", () =>
    Effect.gen(function*() {
      const resilient = yield* Resilience.make({ retry: backoff, breaker: breakerOptions })
      const downstream = dependency(3000)
      const exit = yield* runToEnd(resilient(downstream.effect))
      expect(exit).toStrictEqual(Exit.succeed("ok"))
      // Two failures open the circuit at 100 ms. The third attempt is rejected without a call, and the policy waits
      // out the 5 s break: the probe at 5100 ms succeeds.
      expect(downstream.calls).toStrictEqual([0, 100, 5100])
    }))

  it.effect("stop with circuit-open when the wait exceeds the policy's max delay", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make(breakerOptions)
      const downstream = dependency(Infinity)
      const policy = direct.pipe(Policy.withMaxDelay("1 second"))
      const exit = yield* runToEnd(
        Effect.retryOrElse(breaker.run(downstream.effect), policy, (_, step) => Effect.succeed(step))
      )
      expect(exit).toStrictEqual(Exit.succeed({
        attempt: 3,
        delay: Duration.millis(4900),
        elapsed: Duration.millis(200),
        delayReason: "circuit-open",
        stop: "circuit-open"
      }))
      expect(downstream.calls).toStrictEqual([0, 100])
    }))

  it.effect("stop with circuit-open at once while the circuit is isolated", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make(breakerOptions)
      yield* breaker.isolate
      const downstream = dependency(0)
      const exit = yield* runToEnd(
        Effect.retryOrElse(breaker.run(downstream.effect), direct, (_, step) => Effect.succeed(step))
      )
      expect(exit).toStrictEqual(Exit.succeed({
        attempt: 1,
        delay: Duration.infinity,
        elapsed: Duration.zero,
        delayReason: "circuit-open",
        stop: "circuit-open"
      }))
      expect(downstream.calls).toStrictEqual([])
    }))

  it.effect("respect maxElapsed: a break that would end past it stops the policy with circuit-open", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make(breakerOptions)
      const downstream = dependency(Infinity)
      const policy = direct.pipe(Policy.withMaxElapsed("3 seconds"))
      const exit = yield* runToEnd(
        Effect.retryOrElse(breaker.run(downstream.effect), policy, (_, step) => Effect.succeed(step.stop))
      )
      expect(exit).toStrictEqual(Exit.succeed("circuit-open"))
      expect(downstream.calls).toStrictEqual([0, 100])
    }))
})

describe("the pipeline with a breaker", () => {
  it.effect("attempt timeouts never count against the downstream in the breaker", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1 })
      const resilient = yield* Resilience.make({
        retry: Policy.constant({ delay: 10, maxRetries: 3 }),
        breaker,
        attemptTimeout: 50
      })
      yield* runToEnd(resilient(Effect.never))
      expect((yield* breaker.state).circuit).toBe("closed")
    }))

  it.effect("a slow-call threshold below the attempt timeout lets hanging calls trip it", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 2, slowCallDuration: 40 })
      const resilient = yield* Resilience.make({
        retry: Policy.constant({ delay: 10, maxRetries: 3 }).pipe(Policy.withMaxDelay("1 second")),
        breaker,
        attemptTimeout: 50
      })
      yield* runToEnd(resilient(Effect.never))
      expect((yield* breaker.state).circuit).toBe("open")
    }))

  it.effect("hedged attempts each go through the breaker", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 5 })
      let started = 0
      const slow = Effect.suspend(() => {
        started++
        return Effect.as(Effect.sleep(started === 1 ? 1000 : 10), started)
      })
      const resilient = yield* Resilience.make({ hedge: { delay: 50, maxHedged: 1 }, breaker })
      const exit = yield* runToEnd(resilient(slow))
      expect(exit).toStrictEqual(Exit.succeed(2))
      expect((yield* breaker.state).calls).toBe(1)
    }))
})
