import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Random } from "effect"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing, gaps, millis, runToEnd, uniforms } from "./helpers.ts"

const exact = { jitter: Jitter.none } as const

// Durations keep nanosecond precision: expected values go through the same rounding.
const asDuration = (ms: number) => Duration.toMillis(Duration.millis(ms))

describe("Policy curves", () => {
  it.effect("exponential, base 500 ms, factor 1.5 (the Go ancestor's defaults): 500, 750, 1125, 1687.5, ...", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ ...exact, base: "500 millis", factor: 1.5, maxRetries: 6 })
      expect(millis(yield* Policy.delays(policy, { retries: 6 }))).toStrictEqual(
        [500, 750, 1125, 1687.5, 2531.25, 3796.875]
      )
    }))

  it.effect("exponential, base 1 ms, max 10 ms, six retries: 1, 2, 4, 8, 10, 10", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ ...exact, base: 1, max: 10, maxRetries: 6 })
      expect(millis(yield* Policy.delays(policy, { retries: 6 }))).toStrictEqual([1, 2, 4, 8, 10, 10])
    }))

  it.effect("exponential, base 2 s, max 30 s: 2, 4, 8, 16, 30 s, and those are the delays actually slept", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ ...exact, base: "2 seconds", max: "30 seconds", maxRetries: 5 })
      const op = alwaysFailing("down")
      yield* runToEnd(Effect.retry(op.effect, policy))
      expect(gaps(op.starts)).toStrictEqual([2000, 4000, 8000, 16000, 30000])
    }))

  it.effect("three retries, first delay 100 ms, factor 2: 100, 200, 400; factor 3 with max 150 ms: 100, 150, 150", () =>
    Effect.gen(function*() {
      const doubling = Policy.exponential({ ...exact, base: 100, factor: 2, maxRetries: 3 })
      const tripling = Policy.exponential({ ...exact, base: 100, factor: 3, max: 150, maxRetries: 3 })
      expect(millis(yield* Policy.delays(doubling, { retries: 3 }))).toStrictEqual([100, 200, 400])
      expect(millis(yield* Policy.delays(tripling, { retries: 3 }))).toStrictEqual([100, 150, 150])
    }))

  it.effect("min raises every delay after jitter: full jitter with min 100 ms never waits less", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ base: 100, min: 100, max: 1000, maxRetries: 5 })
      const u = uniforms(7, 5)
      const expected = [100, 200, 400, 800, 1000].map((d, i) => asDuration(Math.max(100, u[i]! * d)))
      expect(millis(yield* Policy.delays(policy, { retries: 5 }).pipe(Random.withSeed(7)))).toStrictEqual(expected)
    }))

  it.effect("constant: the same delay every time", () =>
    Effect.gen(function*() {
      const policy = Policy.constant({ delay: "250 millis", maxRetries: 4 })
      expect(millis(yield* Policy.delays(policy, { retries: 4 }))).toStrictEqual([250, 250, 250, 250])
    }))

  it.effect("linear: base, 2·base, 3·base, capped at max", () =>
    Effect.gen(function*() {
      const policy = Policy.linear({ base: "1 second", max: "3 seconds", maxRetries: 5 })
      expect(millis(yield* Policy.delays(policy, { retries: 5 }))).toStrictEqual([1000, 2000, 3000, 3000, 3000])
    }))

  it.effect("fibonacci: 1, 1, 2, 3, 5, 8 times base, capped at max", () =>
    Effect.gen(function*() {
      const policy = Policy.fibonacci({ base: 100, max: 700, maxRetries: 7 })
      expect(millis(yield* Policy.delays(policy, { retries: 7 }))).toStrictEqual([100, 100, 200, 300, 500, 700, 700])
    }))

  it.effect("decorrelated follows Polly's V2 formula for the seeded uniforms", () =>
    Effect.gen(function*() {
      const policy = Policy.decorrelated({ base: 1000, max: 60_000, maxRetries: 8 })
      const u = uniforms(42, 8)
      let previous = 0
      const expected = u.map((sample, n) => {
        const t = n + sample
        const next = Math.pow(2, t) * Math.tanh(Math.sqrt(4 * t))
        const delay = (next - previous) / 1.4 * 1000
        previous = next
        return asDuration(Math.min(60_000, delay))
      })
      expect(millis(yield* Policy.delays(policy, { retries: 8 }).pipe(Random.withSeed(42)))).toStrictEqual(expected)
    }))

  it.effect("decorrelated never gives NaN, negative or infinite delays past 1,025 retries: max from overflow on", () =>
    Effect.gen(function*() {
      const policy = Policy.decorrelated({ base: 100, max: 5000, maxRetries: Infinity })
      const delays = millis(yield* Policy.delays(policy, { retries: 2000 }).pipe(Random.withSeed(3)))
      expect(delays.length).toBe(2000)
      expect(delays.every((d) => Number.isFinite(d) && d >= 0 && d <= 5000)).toBe(true)
      expect(delays.slice(1000)).toStrictEqual(Array.from({ length: 1000 }, () => 5000))
    }))

  describe("every delay stays finite and within [min, max] up to one million retries", () => {
    const cases: ReadonlyArray<[string, Policy.Policy]> = [
      ["constant", Policy.constant({ delay: 10, jitter: Jitter.full, maxRetries: Infinity })],
      ["linear", Policy.linear({ base: 10, max: 900, jitter: 0.5, maxRetries: Infinity })],
      ["exponential", Policy.exponential({ base: 10, factor: 10, max: 900, maxRetries: Infinity })],
      ["fibonacci", Policy.fibonacci({ base: 10, max: 900, jitter: Jitter.equal, maxRetries: Infinity })],
      ["decorrelated", Policy.decorrelated({ base: 10, max: 900, min: 5, maxRetries: Infinity })],
      [
        "aws decorrelated jitter",
        Policy.exponential({ base: 10, max: 900, jitter: Jitter.decorrelated, maxRetries: 1e9 })
      ]
    ]
    for (const [name, policy] of cases) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const delays = yield* Policy.delays(policy, { retries: 1_000_000 }).pipe(Random.withSeed(name))
          expect(delays.length).toBe(1_000_000)
          let bad = 0
          for (const d of delays) {
            const ms = Duration.toMillis(d)
            if (!(Number.isFinite(ms) && ms >= 0 && ms <= 900)) bad++
          }
          expect(bad).toBe(0)
        }), 60_000)
    }
  })

  it.effect("a huge factor saturates at max instead of overflowing", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ ...exact, base: 1, factor: 1e308, max: 1000, maxRetries: 5 })
      expect(millis(yield* Policy.delays(policy, { retries: 5 }))).toStrictEqual([1, 1000, 1000, 1000, 1000])
    }))
})
