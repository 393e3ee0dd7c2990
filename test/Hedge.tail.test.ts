import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Effect, Exit, Random } from "effect"
import * as Hedge from "../src/Hedge.ts"
import { runToEnd, uniforms } from "./helpers.ts"

const FAST = 10
const SLOW = 1000
const CALLS = 1000

/**
 * A dependency with a slow tail: `isSlow(n)` decides whether its n-th execution (from 1) takes SLOW ms or FAST ms.
 * It counts executions started, running and ended, and for each execution interrupted, how long after the start of
 * its call its finalizer ran.
 */
const slowTail = (isSlow: (execution: number) => Effect.Effect<boolean>) => {
  const counts = { started: 0, running: 0, ended: 0 }
  const interruptedAt: Array<number> = []
  let callStart = 0
  const effect = Effect.suspend(() => {
    const execution = ++counts.started
    counts.running++
    return Effect.flatMap(isSlow(execution), (slow) => Effect.sleep(slow ? SLOW : FAST)).pipe(
      Effect.onExit((exit) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          counts.running--
          counts.ended++
          if (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) interruptedAt.push(now - callStart)
        })
      )
    )
  })

  // Runs CALLS calls one after another; records each call's latency and the executions still running after it.
  const measure = <E, R>(call: (effect: Effect.Effect<void>) => Effect.Effect<void, E, R>) =>
    Effect.gen(function*() {
      const latencies: Array<number> = []
      const runningAfter = new Set<number>()
      for (let i = 0; i < CALLS; i++) {
        callStart = yield* Clock.currentTimeMillis
        yield* call(effect)
        latencies.push((yield* Clock.currentTimeMillis) - callStart)
        runningAfter.add(counts.running)
      }
      return { latencies, runningAfter, counts, interruptedAt }
    })
  return { measure }
}

/** Nearest-rank percentile: the smallest latency that at least `p` of the calls do not exceed. */
const percentile = (latencies: ReadonlyArray<number>, p: number): number =>
  [...latencies].sort((a, b) => a - b)[Math.ceil(p * latencies.length) - 1]!

const summary = (latencies: ReadonlyArray<number>) => ({
  p50: percentile(latencies, 0.5),
  p95: percentile(latencies, 0.95),
  p99: percentile(latencies, 0.99),
  max: Math.max(...latencies),
  total: latencies.reduce((sum, latency) => sum + latency, 0)
})

const tally = (latencies: ReadonlyArray<number>) => {
  const counts: Record<number, number> = {}
  for (const latency of latencies) counts[latency] = (counts[latency] ?? 0) + 1
  return counts
}

/** Runs an effect to its end on the TestClock and succeeds with its value. */
const settle = <A, E>(effect: Effect.Effect<A, E>) => Effect.flatMap(runToEnd(effect), (exit) => exit)

const hedged = (effect: Effect.Effect<void>) => Hedge.race(effect, { delay: 50, maxHedged: 1 })

describe("Hedge.race against a slow tail", () => {
  // Every 20th execution (5 %) takes 1 s, the others 10 ms.
  const everyTwentieth = (execution: number) => Effect.succeed(execution % 20 === 0)

  it.effect("without hedging, 1,000 calls have a p99 of 1 s", () =>
    Effect.gen(function*() {
      const { counts, latencies } = yield* settle(slowTail(everyTwentieth).measure((effect) => effect))
      expect(tally(latencies)).toStrictEqual({ [FAST]: 950, [SLOW]: 50 })
      expect(summary(latencies)).toStrictEqual({ p50: 10, p95: 10, p99: 1000, max: 1000, total: 59_500 })
      expect(counts).toStrictEqual({ started: 1000, running: 0, ended: 1000 })
    }))

  it.effect("with a hedge after 50 ms, the p99 is the delay plus the fast path, for 52 extra executions", () =>
    Effect.gen(function*() {
      const { counts, interruptedAt, latencies, runningAfter } = yield* settle(slowTail(everyTwentieth).measure(hedged))
      // The m-th slow execution (number 20·m) is the primary attempt of call 19·m + 1, since m - 1 hedges ran
      // before it; its hedge (number 20·m + 1) is fast. Calls 20, 39, ..., 989: 52 of them.
      expect(tally(latencies)).toStrictEqual({ [FAST]: 948, [50 + FAST]: 52 })
      expect(summary(latencies)).toStrictEqual({ p50: 10, p95: 60, p99: 60, max: 60, total: 12_600 })
      expect(counts).toStrictEqual({ started: 1052, running: 0, ended: 1052 })
      // No loser outlives its call: each slow primary attempt was interrupted and finalized as its hedge won.
      expect(runningAfter).toStrictEqual(new Set([0]))
      expect(interruptedAt).toStrictEqual(Array.from({ length: 52 }, () => 60))
    }))

  it.effect("with a seeded random tail, the latencies are exactly those the draws predict", () =>
    Effect.gen(function*() {
      const seed = 2024
      // Each execution draws one uniform number and is slow when it falls below 0.05.
      const randomTail = () => Random.next.pipe(Effect.map((u) => u < 0.05))
      const without = yield* settle(slowTail(randomTail).measure((effect) => effect).pipe(Random.withSeed(seed)))
      const withHedge = yield* settle(slowTail(randomTail).measure(hedged).pipe(Random.withSeed(seed)))

      // The model: executions draw in order; a call whose primary attempt is slow draws again for its hedge, which
      // wins at 50 + FAST ms when fast; when both are slow, the primary attempt ends first, at SLOW ms.
      const draws = uniforms(seed, 2 * CALLS)
      const expectedWithout = draws.slice(0, CALLS).map((u) => u < 0.05 ? SLOW : FAST)
      const expectedWith: Array<number> = []
      for (let next = 0; expectedWith.length < CALLS;) {
        if (draws[next++]! >= 0.05) expectedWith.push(FAST)
        else expectedWith.push(draws[next++]! < 0.05 ? SLOW : 50 + FAST)
      }
      expect(without.latencies).toStrictEqual(expectedWithout)
      expect(withHedge.latencies).toStrictEqual(expectedWith)

      const hedges = withHedge.counts.started - CALLS
      expect(tally(without.latencies)).toStrictEqual({ [FAST]: 941, [SLOW]: 59 })
      expect(summary(without.latencies)).toStrictEqual({ p50: 10, p95: 1000, p99: 1000, max: 1000, total: 68_410 })
      // 62 slow primary attempts, each hedged; one hedge was slow too, and that call took SLOW ms.
      expect(tally(withHedge.latencies)).toStrictEqual({ [FAST]: 938, [50 + FAST]: 61, [SLOW]: 1 })
      expect(summary(withHedge.latencies)).toStrictEqual({ p50: 10, p95: 60, p99: 60, max: 1000, total: 14_040 })
      expect(hedges).toBe(62)
      expect(withHedge.runningAfter).toStrictEqual(new Set([0]))
      expect(withHedge.counts).toStrictEqual({ started: CALLS + hedges, running: 0, ended: CALLS + hedges })
    }))
})
