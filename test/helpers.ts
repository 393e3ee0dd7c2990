import { Clock, Duration, Effect, Fiber, Random } from "effect"
import type { Exit } from "effect"
import { TestClock } from "effect/testing"

/**
 * An operation that follows a script: each execution records its start time (from the Clock) and then fails with
 * the next scripted error, or succeeds with the execution count once the script says "ok" or runs out of errors.
 */
export const scripted = <E>(script: ReadonlyArray<E | "ok">) => {
  const starts: Array<number> = []
  const effect: Effect.Effect<number, E> = Effect.gen(function*() {
    starts.push(yield* Clock.currentTimeMillis)
    const outcome = script[starts.length - 1]
    if (outcome === undefined || outcome === "ok") return starts.length
    return yield* Effect.fail(outcome)
  })
  return { effect, starts }
}

/** An operation that always fails with `error`, recording each execution's start time. */
export const alwaysFailing = <E>(error: E) => {
  const starts: Array<number> = []
  const effect: Effect.Effect<never, E> = Effect.gen(function*() {
    starts.push(yield* Clock.currentTimeMillis)
    return yield* Effect.fail(error)
  })
  return { effect, starts }
}

/**
 * An operation whose n-th execution runs for `durations[n]` ms and then fails with `error`, recording each start; it
 * succeeds with the execution count past the end of the list.
 */
export const timedFailures = <E>(durations: ReadonlyArray<number>, error: E) => {
  const starts: Array<number> = []
  const effect: Effect.Effect<number, E> = Effect.gen(function*() {
    starts.push(yield* Clock.currentTimeMillis)
    const runFor = durations[starts.length - 1]
    if (runFor === undefined) return starts.length
    yield* Effect.sleep(runFor)
    return yield* Effect.fail(error)
  })
  return { effect, starts }
}

/** Runs an effect in a child fiber and moves the TestClock far enough for every sleep to elapse. */
export const runToEnd = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Exit.Exit<A, E>, never, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(effect)
    yield* TestClock.adjust("3650 days")
    return yield* Fiber.await(fiber)
  })

/** Gaps between consecutive start times: the delays actually slept. */
export const gaps = (starts: ReadonlyArray<number>): Array<number> => starts.slice(1).map((t, i) => t - starts[i]!)

/** Delays as milliseconds. */
export const millis = (delays: ReadonlyArray<Duration.Duration>): Array<number> => delays.map(Duration.toMillis)

/** The first `n` uniform samples that `Random.withSeed(seed)` yields: what a seeded policy draws. */
export const uniforms = (seed: number, n: number): Array<number> =>
  Effect.runSync(Effect.all(Array.from({ length: n }, () => Random.next)).pipe(Random.withSeed(seed)))
