import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as Bulkhead from "../src/Bulkhead.ts"
import * as Policy from "../src/Policy.ts"
import * as RetryBudget from "../src/RetryBudget.ts"
import { alwaysFailing, runToEnd, scripted } from "./helpers.ts"

const bucket = (maxTokens: number, tokenRatio = 0.5) =>
  RetryBudget.layerMemory({ algorithm: "token-bucket", maxTokens, tokenRatio })

const state = (key: string) =>
  Effect.flatMap(Effect.service(RetryBudget.RetryBudget), (store) => store.state(key, 0)) as Effect.Effect<
    any,
    never,
    RetryBudget.RetryBudget
  >

const policy = Policy.constant({ delay: 1000, maxRetries: 10 }).pipe(Policy.withBudget("search"))

describe("Policy.withBudget", () => {
  it.effect("a refused retry stops the policy at once with budget-exhausted, without sleeping", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      const fiber = yield* Effect.forkChild(Effect.retryOrElse(op.effect, policy, (_, step) => Effect.succeed(step)))
      // maxTokens 4: the first failure leaves 3 (above 2: granted), the second leaves 2 (not above 2: refused).
      yield* TestClock.adjust(1000)
      const step = yield* Fiber.join(fiber)
      expect(op.starts).toStrictEqual([0, 1000])
      expect(step).toStrictEqual({
        attempt: 2,
        delay: Duration.seconds(1),
        elapsed: Duration.seconds(1),
        delayReason: "backoff",
        stop: "budget-exhausted"
      })
      expect(yield* state("search")).toStrictEqual({ algorithm: "token-bucket", tokens: 2, maxTokens: 4 })
    }).pipe(Effect.provide(bucket(4))))

  it.effect("successes seen by Policy.retry earn tokens back", () =>
    Effect.gen(function*() {
      yield* runToEnd(Policy.retry(scripted(["a", "b", "ok"]).effect, policy))
      // 10 - 2 failures + 0.5 for the success
      expect(yield* state("search")).toStrictEqual({ algorithm: "token-bucket", tokens: 8.5, maxTokens: 10 })
    }).pipe(Effect.provide(bucket(10))))

  it.effect("a failure the classifiers reject counts for nothing", () =>
    Effect.gen(function*() {
      const strict = policy.pipe(Policy.retryWhile((e: string) => e !== "bad request"))
      yield* runToEnd(Policy.retry(alwaysFailing("bad request").effect, strict))
      expect(yield* state("search")).toStrictEqual({ algorithm: "token-bucket", tokens: 10, maxTokens: 10 })
    }).pipe(Effect.provide(bucket(10))))

  it.effect("rejections of this library never count against the downstream, but their retries still ask", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1 })
      const blocker = yield* Effect.forkChild(bulkhead.run(Effect.never))
      yield* Effect.yieldNow
      const op = bulkhead.run(Effect.void)
      const exit = yield* runToEnd(Policy.retry(
        op,
        Policy.constant({ delay: 10, maxRetries: 3 }).pipe(
          Policy.withBudget("search")
        )
      ))
      expect(exit._tag).toBe("Failure")
      expect(yield* state("search")).toStrictEqual({ algorithm: "token-bucket", tokens: 10, maxTokens: 10 })
      yield* Fiber.interrupt(blocker)
    }).pipe(Effect.provide(bucket(10))))

  it.effect("each run counts as one call of a ratio budget; retries beyond percent and floor are refused", () =>
    Effect.gen(function*() {
      const ratioPolicy = Policy.constant({ delay: 0, maxRetries: 5 }).pipe(Policy.withBudget("search"))
      // Zero delays: the clock stays at 0, so every call and retry lands in the same window.
      const results = yield* Effect.forEach(
        Array.from({ length: 10 }),
        () => Effect.exit(Policy.retry(alwaysFailing("down").effect, ratioPolicy))
      )
      expect(results.every(Exit.isFailure)).toBe(true)
      // floor 0, 50 % of 10 calls: 5 retries in all.
      expect(yield* state("search")).toStrictEqual({ algorithm: "ratio", calls: 10, retries: 5, allowed: 5 })
    }).pipe(Effect.provide(RetryBudget.layerMemory({ algorithm: "ratio", percent: 0.5, minPerSecond: 0 }))))

  it("an empty key raises a RangeError", () => {
    expect(() => Policy.constant().pipe(Policy.withBudget(""))).toThrow(
      new RangeError(`Policy.withBudget: option "key" must be a non-empty string, received ""`)
    )
  })

  it.effect("the service is required by the type, and provided once it is shared by every policy with the key", () =>
    Effect.gen(function*() {
      const a = Policy.constant({ delay: 0, maxRetries: 1 }).pipe(Policy.withBudget("shared"))
      const b = Policy.linear({ base: 1, maxRetries: 1 }).pipe(Policy.withBudget("shared"))
      yield* runToEnd(Policy.retry(alwaysFailing("x").effect, a))
      yield* runToEnd(Policy.retry(alwaysFailing("x").effect, b))
      expect(yield* state("shared")).toStrictEqual({ algorithm: "token-bucket", tokens: 6, maxTokens: 10 })
    }).pipe(Effect.provide(Layer.fresh(bucket(10)))))
})
