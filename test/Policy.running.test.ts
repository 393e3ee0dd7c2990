import { describe, expect, it } from "@effect/vitest"
import { Data, Duration, Effect, Fiber, Option, Random, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { millis, runToEnd } from "./helpers.ts"

class Fatal extends Data.TaggedError("Fatal")<{}> {}
class Flaky extends Data.TaggedError("Flaky")<{}> {}

describe("Policy.delays", () => {
  it.effect("previews the delays without sleeping and stops where the policy stops", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ jitter: Jitter.none, maxRetries: 3 })
      expect(millis(yield* Policy.delays(policy, { retries: 10 }))).toStrictEqual([100, 200, 400])
      expect(millis(yield* Policy.delays(policy, { retries: 0 }))).toStrictEqual([])
    }))

  it.effect("stops early at maxElapsed on a simulated clock", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ jitter: Jitter.none, maxRetries: Infinity, maxElapsed: 1000 })
      // 100 + 200 + 400 = 700; the next 800 would end at 1500.
      expect(millis(yield* Policy.delays(policy, { retries: 10 }))).toStrictEqual([100, 200, 400])
    }))

  it.effect("uses the current Random, so a seed reproduces the preview", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ maxRetries: 5 })
      const a = yield* Policy.delays(policy, { retries: 5 }).pipe(Random.withSeed("a"))
      const b = yield* Policy.delays(policy, { retries: 5 }).pipe(Random.withSeed("a"))
      expect(a).toStrictEqual(b)
    }))

  it.effect("with an error, classifiers and hints apply", () =>
    Effect.gen(function*() {
      const policy = Policy.constant<Fatal | Flaky>({ delay: 10 }).pipe(
        Policy.retryWhile((e: Fatal | Flaky) => e._tag === "Flaky"),
        Policy.retryAfter(() => 50, { max: 100 })
      )
      expect(millis(yield* Policy.delays(policy, { retries: 3, error: new Flaky() }))).toStrictEqual([50, 50, 50])
      expect(millis(yield* Policy.delays(policy, { retries: 3, error: new Fatal() }))).toStrictEqual([])
      expect(millis(yield* Policy.delays(policy, { retries: 3 }))).toStrictEqual([10, 10, 10])
    }))
})

describe("Policy.start", () => {
  it.effect("next sleeps the next delay and answers true, then false at once when the policy has stopped", () =>
    Effect.gen(function*() {
      const controller = yield* Policy.start(Policy.linear({ base: 100, maxRetries: 2 }))
      const first = yield* Effect.forkChild(controller.next("down"))
      yield* TestClock.adjust(99)
      expect(first.pollUnsafe()).toBe(undefined)
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(first)).toBe(true)
      const second = yield* Effect.forkChild(controller.next("down"))
      yield* TestClock.adjust(200)
      expect(yield* Fiber.join(second)).toBe(true)
      expect(yield* controller.next("down")).toBe(false)
      expect(yield* controller.next("down")).toBe(false)
      const last = yield* controller.lastStep
      expect(Option.map(last, (step) => step.stop)).toStrictEqual(Option.some("max-retries"))
    }))

  it.effect("lastStep is none before the first failure", () =>
    Effect.gen(function*() {
      const controller = yield* Policy.start(Policy.exponential())
      expect(yield* controller.lastStep).toStrictEqual(Option.none())
    }))
})

describe("Policy.tap", () => {
  it.effect("sees every decision with its failure, the stop included, and keeps the result a Policy", () =>
    Effect.gen(function*() {
      const seen: Array<[number, string | undefined, string]> = []
      const policy = Policy.linear({ base: 10, maxRetries: 2 }).pipe(
        Policy.tap((step, error: string) => Effect.sync(() => seen.push([step.attempt, step.stop, error]))),
        Policy.withMaxRetries(2)
      )
      let n = 0
      const op = Effect.suspend(() => Effect.fail(`failure ${++n}`))
      yield* runToEnd(Effect.retry(op, policy))
      expect(seen).toStrictEqual([[1, undefined, "failure 1"], [2, undefined, "failure 2"], [
        3,
        "max-retries",
        "failure 3"
      ]])
    }))

  it.effect("runs before the sleep", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const policy = Policy.constant({ delay: 1000, maxRetries: 1 }).pipe(
        Policy.tap(() =>
          Effect.flatMap(Effect.clockWith((c) => c.currentTimeMillis), (t) => Effect.sync(() => times.push(t)))
        )
      )
      yield* runToEnd(Effect.retry(Effect.fail("x"), policy))
      expect(times).toStrictEqual([0, 1000])
    }))
})

describe("Policy.describe", () => {
  it("reads a policy back as plain data", () => {
    const policy = Policy.exponential({ base: 200, factor: 3, max: "5 seconds", maxRetries: 6, maxElapsed: "1 minute" })
      .pipe(
        Policy.retryWhile(() => true),
        Policy.retryAfter(() => undefined, { max: "10 seconds" }),
        Policy.resetAfter("1 hour"),
        Policy.observed("search")
      )
    expect(Policy.describe(policy)).toStrictEqual({
      curve: "exponential",
      base: 200,
      factor: 3,
      min: 0,
      max: 5000,
      jitter: Jitter.full,
      maxRetries: 6,
      maxElapsed: 60_000,
      resetAfter: 3_600_000,
      classifiers: 1,
      retryAfter: [{ max: 10_000, onTooLong: "stop" }],
      name: "search",
      budget: undefined
    })
    expect(Policy.describe(Policy.constant())).toMatchObject({ curve: "constant", base: 1000, max: Infinity })
  })
})

describe("Policy with other Schedule consumers", () => {
  it.effect("Stream.retry accepts a policy as it is", () =>
    Effect.gen(function*() {
      let runs = 0
      const stream = Stream.suspend(() => {
        runs++
        return runs < 3 ? Stream.fail("down") : Stream.make(1, 2, 3)
      })
      const exit = yield* runToEnd(Stream.runCollect(stream.pipe(Stream.retry(Policy.constant({ delay: 10 })))))
      expect(exit._tag === "Success" && Array.from(exit.value)).toStrictEqual([1, 2, 3])
      expect(runs).toBe(3)
    }))

  it.effect("Effect.retryOrElse recovers with the stop step", () =>
    Effect.gen(function*() {
      const exit = yield* runToEnd(
        Effect.retryOrElse(
          Effect.fail("down"),
          Policy.constant({ delay: 5, maxRetries: 1 }),
          (error, step) => Effect.succeed(`${error} after ${step.attempt} executions: ${step.stop}`)
        )
      )
      expect(exit._tag === "Success" && exit.value).toBe("down after 2 executions: max-retries")
    }))

  it.effect("each run of a policy starts with fresh state", () =>
    Effect.gen(function*() {
      const policy = Policy.linear({ base: 100, maxRetries: 2 })
      const a = yield* Policy.delays(policy, { retries: 5 })
      const b = yield* Policy.delays(policy, { retries: 5 })
      expect(millis(a)).toStrictEqual([100, 200])
      expect(b).toStrictEqual(a)
      expect(Duration.toMillis(a[0]!)).toBe(100)
    }))
})
