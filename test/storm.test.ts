import { describe, expect, it } from "@effect/vitest"
import { Clock, Data, Effect, Exit, Fiber, Layer, Random } from "effect"
import { TestClock } from "effect/testing"
import * as Policy from "../src/Policy.ts"
import * as RetryBudget from "../src/RetryBudget.ts"

// 1,000 callers hit a dependency that fails every call for its first minute. Each caller retries with the default
// exponential backoff (full jitter, 100 ms base) and 3 retries, so every retry falls inside the outage.
class Unavailable extends Data.TaggedError("Unavailable")<{}> {}

const callers = 1000
const outage = 60_000

const storm = <R>(policy: Policy.Policy<Unavailable, Unavailable, R>) =>
  Effect.gen(function*() {
    let attempts = 0
    const dependency = Effect.gen(function*() {
      attempts++
      if ((yield* Clock.currentTimeMillis) < outage) return yield* Effect.fail(new Unavailable())
      return "ok"
    })
    const fiber = yield* Effect.forkChild(
      Effect.forEach(Array.from({ length: callers }), () => Effect.exit(Policy.retry(dependency, policy)), {
        concurrency: "unbounded"
      })
    )
    yield* TestClock.adjust("2 minutes")
    const exits = yield* Fiber.join(fiber)
    return { attempts, failed: exits.filter(Exit.isFailure).length }
  }).pipe(Random.withSeed(7))

const retries3 = Policy.exponential<Unavailable>({ maxRetries: 3 })

describe("retry storms", () => {
  it.effect("without a budget, 1,000 failing calls make 4,000 attempts: the load is multiplied by 4", () =>
    Effect.gen(function*() {
      expect(yield* storm(retries3)).toStrictEqual({ attempts: 4000, failed: 1000 })
    }))

  it.effect("with a 10 % ratio budget and a floor of 100 retries, attempts stay within 1.1 × calls + floor", () =>
    Effect.gen(function*() {
      const budget = RetryBudget.layerMemory({ algorithm: "ratio", percent: 0.1, minPerSecond: 10, ttl: "10 seconds" })
      const result = yield* storm(retries3.pipe(Policy.withBudget("dependency"))).pipe(Effect.provide(budget))
      // The floor is 10 retries per second over a 10 s window: 100 retries; 10 % of 1,000 calls adds 100 more.
      expect(result).toStrictEqual({ attempts: 1200, failed: 1000 })
      expect(result.attempts).toBeLessThanOrEqual(1.1 * callers + 100)
    }))

  it.effect("with gRPC's token bucket (100 tokens, ratio 0.1), retries stop once half the tokens are gone", () =>
    Effect.gen(function*() {
      const budget = RetryBudget.layerMemory({ algorithm: "token-bucket", maxTokens: 100, tokenRatio: 0.1 })
      const result = yield* storm(retries3.pipe(Policy.withBudget("dependency"))).pipe(Effect.provide(budget))
      // Each failure takes a token and a retry needs more than 50 left: the 49 failures that leave 99 to 51 tokens
      // are retried, the 50th and every later one is not.
      expect(result).toStrictEqual({ attempts: 1049, failed: 1000 })
    }))

  it.effect("after the outage the budget recovers: a second wave succeeds at once, and retries are granted again", () =>
    Effect.gen(function*() {
      const policy = retries3.pipe(Policy.withBudget("dependency"))
      yield* storm(policy)
      // The clock is now past the outage: every call succeeds on its first attempt.
      const after = yield* storm(policy)
      expect(after).toStrictEqual({ attempts: 1000, failed: 0 })
      const store = yield* RetryBudget.RetryBudget
      expect(yield* store.acquire("dependency", yield* Clock.currentTimeMillis)).toBe(true)
    }).pipe(
      Effect.provide(
        Layer.fresh(RetryBudget.layerMemory({ algorithm: "token-bucket", maxTokens: 100, tokenRatio: 0.1 }))
      )
    ))
})
