import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as RetryBudget from "../src/RetryBudget.ts"
import { isolatedMetrics, series } from "./telemetry.ts"

const times = <A>(n: number, effect: Effect.Effect<A>) => Effect.forEach(Array.from({ length: n }), () => effect)

describe("RetryBudget token bucket (gRPC retry throttling)", () => {
  it.effect("starts full, loses a token per failure, earns tokenRatio per success, grants only above half", () =>
    Effect.gen(function*() {
      const store = yield* RetryBudget.makeMemory({ algorithm: "token-bucket", maxTokens: 10, tokenRatio: 0.5 })
      expect(yield* store.state("a", 0)).toStrictEqual({ algorithm: "token-bucket", tokens: 10, maxTokens: 10 })
      expect(yield* store.acquire("a", 0)).toBe(true)
      yield* times(4, store.failure("a", 0))
      expect(yield* store.acquire("a", 0)).toBe(true) // 6 > 5
      yield* store.failure("a", 0)
      expect(yield* store.acquire("a", 0)).toBe(false) // 5 is not above 5
      yield* store.success("a", 0)
      expect(yield* store.acquire("a", 0)).toBe(true) // 5.5
      expect((yield* store.state("a", 0)) as any).toMatchObject({ tokens: 5.5 })
    }))

  it.effect("never goes below zero or above maxTokens", () =>
    Effect.gen(function*() {
      const store = yield* RetryBudget.makeMemory({ algorithm: "token-bucket", maxTokens: 3, tokenRatio: 1 })
      yield* times(10, store.failure("a", 0))
      expect(((yield* store.state("a", 0)) as any).tokens).toBe(0)
      yield* times(10, store.success("a", 0))
      expect(((yield* store.state("a", 0)) as any).tokens).toBe(3)
    }))

  it.effect("keeps one bucket per key", () =>
    Effect.gen(function*() {
      const store = yield* RetryBudget.makeMemory({ algorithm: "token-bucket", maxTokens: 2 })
      yield* times(2, store.failure("a", 0))
      expect(yield* store.acquire("a", 0)).toBe(false)
      expect(yield* store.acquire("b", 0)).toBe(true)
    }))

  it.effect("concurrent failures are never lost", () =>
    Effect.gen(function*() {
      const store = yield* RetryBudget.makeMemory({ algorithm: "token-bucket", maxTokens: 1000, tokenRatio: 1 })
      yield* Effect.forEach(Array.from({ length: 10_000 }), (_, i) =>
        i % 2 === 0 ? store.failure("a", 0) : Effect.andThen(Effect.yieldNow, store.failure("a", 0)), {
        concurrency: "unbounded"
      })
      expect(((yield* store.state("a", 0)) as any).tokens).toBe(0)
    }))
})

describe("RetryBudget ratio (Finagle RetryBudget)", () => {
  it.effect("grants the floor of minPerSecond · ttl retries with no traffic, then nothing", () =>
    Effect.gen(function*() {
      const store = yield* RetryBudget.makeMemory({
        algorithm: "ratio",
        percent: 0.2,
        minPerSecond: 1,
        ttl: "10 seconds"
      })
      const granted = yield* times(15, store.acquire("a", 0))
      expect(granted.filter(Boolean).length).toBe(10)
    }))

  it.effect("grants percent of the calls in the window on top of the floor", () =>
    Effect.gen(function*() {
      const store = yield* RetryBudget.makeMemory({
        algorithm: "ratio",
        percent: 0.2,
        minPerSecond: 0,
        ttl: "10 seconds"
      })
      yield* times(100, store.call("a", 0))
      const granted = yield* times(30, store.acquire("a", 0))
      expect(granted.filter(Boolean).length).toBe(20)
      expect(yield* store.state("a", 0)).toStrictEqual({ algorithm: "ratio", calls: 100, retries: 20, allowed: 20 })
    }))

  it.effect("forgets calls and retries once they leave the window, slice by slice", () =>
    Effect.gen(function*() {
      const store = yield* RetryBudget.makeMemory({
        algorithm: "ratio",
        percent: 0.5,
        minPerSecond: 0,
        ttl: "10 seconds"
      })
      yield* times(10, store.call("a", 0))
      yield* times(10, store.call("a", 5000))
      expect(yield* store.state("a", 9999)).toStrictEqual({ algorithm: "ratio", calls: 20, retries: 0, allowed: 10 })
      // At 10 s the slice [0, 1 s) has left the window; at 15 s the slice [5 s, 6 s) has too.
      expect(yield* store.state("a", 10_000)).toStrictEqual({ algorithm: "ratio", calls: 10, retries: 0, allowed: 5 })
      expect(yield* store.state("a", 15_000)).toStrictEqual({ algorithm: "ratio", calls: 0, retries: 0, allowed: 0 })
    }))

  it.effect("records granted and denied decisions when named", () =>
    Effect.gen(function*() {
      const store = yield* RetryBudget.makeMemory({
        algorithm: "ratio",
        minPerSecond: 0.2,
        ttl: "10 seconds",
        name: "inventory"
      })
      yield* times(3, store.acquire("a", 0))
      expect((yield* series("resilience_budget_decisions_total", { policy: "inventory", outcome: "granted" })).count)
        .toBe(2)
      expect((yield* series("resilience_budget_decisions_total", { policy: "inventory", outcome: "denied" })).count)
        .toBe(1)
    }).pipe(isolatedMetrics))
})

describe("RetryBudget bad input", () => {
  const rejects = (build: () => unknown, message: string) => expect(build).toThrow(new RangeError(message))

  it("names the function, the option, the allowed range and the value received", () => {
    rejects(
      () => RetryBudget.makeMemory({ algorithm: "token-bucket", maxTokens: 1001 }),
      `RetryBudget.makeMemory: option "maxTokens" must be a number in (0, 1000], received 1001`
    )
    rejects(
      () => RetryBudget.makeMemory({ algorithm: "token-bucket", tokenRatio: 0 }),
      `RetryBudget.makeMemory: option "tokenRatio" must be a number in (0, 1], received 0`
    )
    rejects(
      () => RetryBudget.makeMemory({ algorithm: "ratio", percent: 1.5 }),
      `RetryBudget.makeMemory: option "percent" must be a number in [0, 1], received 1.5`
    )
    rejects(
      () => RetryBudget.makeMemory({ algorithm: "ratio", minPerSecond: -1 }),
      `RetryBudget.makeMemory: option "minPerSecond" must be a finite number >= 0, received -1`
    )
    rejects(
      () => RetryBudget.makeMemory({ algorithm: "ratio", ttl: "100 millis" }),
      `RetryBudget.makeMemory: option "ttl" must be a duration between 1 second and 1 hour, received "100 millis"`
    )
    rejects(
      () => RetryBudget.layerMemory({ algorithm: "leaky" } as any),
      `RetryBudget.makeMemory: option "algorithm" must be "token-bucket" or "ratio", received "leaky"`
    )
  })
})
