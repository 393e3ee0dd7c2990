import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Random } from "effect"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { millis, uniforms } from "./helpers.ts"

// Durations keep nanosecond precision: expected values go through the same rounding.
const asDuration = (ms: number) => Duration.toMillis(Duration.millis(ms))

const seeded = (policy: Policy.Policy, retries: number, seed: number) =>
  Policy.delays(policy, { retries }).pipe(Random.withSeed(seed), Effect.map(millis))

describe("Jitter", () => {
  it.effect("full jitter is uniform in [0, d] (AWS: uniform(0, min(cap, base·2^n)))", () =>
    Effect.gen(function*() {
      const u = uniforms(1, 6)
      const curve = [100, 200, 400, 800, 1000, 1000]
      const policy = Policy.exponential({ base: 100, max: 1000, jitter: Jitter.full, maxRetries: 6 })
      expect(yield* seeded(policy, 6, 1)).toStrictEqual(curve.map((d, i) => asDuration(u[i]! * d)))
    }))

  it.effect("equal jitter is d/2 plus uniform in [0, d/2]", () =>
    Effect.gen(function*() {
      const u = uniforms(2, 5)
      const curve = [100, 200, 400, 800, 1000]
      const policy = Policy.exponential({ base: 100, max: 1000, jitter: Jitter.equal, maxRetries: 5 })
      expect(yield* seeded(policy, 5, 2)).toStrictEqual(curve.map((d, i) => asDuration(d / 2 + u[i]! * d / 2)))
    }))

  it.effect("proportional 0.5 on 500 ms · 1.5^(n-1) lies in [0.5·d, 1.5·d], exactly d·(0.5 + u)", () =>
    Effect.gen(function*() {
      const u = uniforms(3, 5)
      const curve = [500, 750, 1125, 1687.5, 2531.25]
      const policy = Policy.exponential({ base: 500, factor: 1.5, max: 60_000, jitter: 0.5, maxRetries: 5 })
      const delays = yield* seeded(policy, 5, 3)
      expect(delays).toStrictEqual(curve.map((d, i) => asDuration(d * 0.5 + u[i]! * d)))
      const bounds = [[250, 750], [375, 1125], [562.5, 1687.5], [843.75, 2531.25], [1265.625, 3796.875]]
      delays.forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(bounds[i]![0]!)
        expect(d).toBeLessThanOrEqual(bounds[i]![1]!)
      })
    }))

  it.effect("gRPC's form is proportional 0.2: min(initial·multiplier^(n-1), max) times uniform(0.8, 1.2)", () =>
    Effect.gen(function*() {
      const u = uniforms(4, 6)
      const curve = [1000, 1600, 2560, 4096, 6553.6, 10_000]
      const policy = Policy.exponential({ base: 1000, factor: 1.6, max: 10_000, jitter: 0.2, maxRetries: 6 })
      const expected = curve.map((d, i) => asDuration(Math.min(10_000, d * (0.8 + 0.4 * u[i]!))))
      expect(yield* seeded(policy, 6, 4)).toStrictEqual(expected)
    }))

  it.effect("proportional jitter above the cap is clamped to max, unlike peers that cap the base and then jitter", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ base: 1000, max: 1000, jitter: 1, maxRetries: 200 })
      const delays = yield* seeded(policy, 200, 5)
      expect(Math.max(...delays)).toBe(1000)
    }))

  it.effect("decorrelated jitter (AWS) is min(max, uniform(base, 3 · previous)), starting from previous = base", () =>
    Effect.gen(function*() {
      const u = uniforms(6, 8)
      let previous = 100
      const expected = u.map((sample) => {
        const next = Math.min(2000, 100 + sample * (3 * previous - 100))
        previous = next
        return asDuration(next)
      })
      const policy = Policy.exponential({ base: 100, max: 2000, jitter: Jitter.decorrelated, maxRetries: 8 })
      expect(yield* seeded(policy, 8, 6)).toStrictEqual(expected)
    }))

  it.effect("jitter never compounds: the curve keeps its state before jitter", () =>
    Effect.gen(function*() {
      const u = uniforms(8, 4)
      const policy = Policy.exponential({ base: 100, max: 10_000, jitter: Jitter.full, maxRetries: 4 })
      // Each delay is u·(100·2^n), whatever the previous jittered delay was.
      expect(yield* seeded(policy, 4, 8)).toStrictEqual([100, 200, 400, 800].map((d, i) => asDuration(u[i]! * d)))
    }))

  it.effect("the same seed gives the same delays; another seed gives others", () =>
    Effect.gen(function*() {
      const policy = Policy.exponential({ maxRetries: 10 })
      const a = yield* seeded(policy, 10, 99)
      const b = yield* seeded(policy, 10, 99)
      const c = yield* seeded(policy, 10, 100)
      expect(a).toStrictEqual(b)
      expect(a).not.toStrictEqual(c)
    }))

  it("proportional jitter of a delay near Number.MAX_VALUE is never NaN, so the policy's clamp can hold", () => {
    const huge = Number.MAX_VALUE / 1.5
    for (const u of [0, 0.5, 0.999999]) {
      expect(Number.isNaN(Jitter.apply(Jitter.proportional(0.9), huge, u, 0, 0))).toBe(false)
    }
    expect(Jitter.apply(Jitter.proportional(0.9), huge, 0, 0, 0)).toBe(huge * (1 - 0.9))
  })

  it("a plain number means proportional jitter", () => {
    expect(Jitter.fromInput(0.2, "f", "jitter")).toStrictEqual(Jitter.proportional(0.2))
    expect(Jitter.proportional(0)).toStrictEqual({ _tag: "Proportional", factor: 0 })
  })

  it("a factor outside [0, 1] raises a RangeError naming the function, option, range and value", () => {
    expect(() => Jitter.proportional(1.5)).toThrow(
      new RangeError(`Jitter.proportional: option "factor" must be a number in [0, 1], received 1.5`)
    )
    expect(() => Jitter.proportional(NaN)).toThrow(RangeError)
    expect(() => Jitter.proportional(-0.1)).toThrow(RangeError)
    expect(() => Policy.exponential({ jitter: 2 })).toThrow(
      new RangeError(`Policy.exponential: option "jitter" must be a number in [0, 1], received 2`)
    )
    expect(() => Policy.linear({ jitter: { _tag: "Proportional", factor: 3 } })).toThrow(
      new RangeError(`Policy.linear: option "jitter.factor" must be a number in [0, 1], received 3`)
    )
  })
})
