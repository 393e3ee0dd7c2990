/**
 * Hedging: when an attempt is slow, start another attempt of the same program and keep the first to succeed.
 *
 * Retries answer failures; hedges answer latency. A dependency whose p99 is a hundred times its median (a cold
 * cache, a garbage-collection pause, one bad replica) makes the whole tail of a caller's latency; racing a second
 * attempt after a short delay cuts that tail to about the delay plus the fast path, for a few percent more load.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import { family } from "./internal/metric.ts"
import { isRejection } from "./internal/rejection.ts"
import { durationMillis, knownOptions, rangeError } from "./internal/validate.ts"
import * as RetryBudget from "./RetryBudget.ts"

/**
 * Options of {@link race}.
 *
 * **Details**
 *
 * `E` is the error type `isRetryable` reads; a program can be hedged only when its failures are assignable to it.
 *
 * **Gotchas**
 *
 * Options declared as a value of type `Options` may carry a budget as far as the type checker knows, so
 * {@link race} then requires the `RetryBudget` service. Declare shared options with `satisfies Hedge.Options`, which
 * keeps the type of what is actually there.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Classify, Hedge } from "effect-resilience"
 *
 * declare const search: (query: string) => Effect.Effect<ReadonlyArray<string>, Error>
 *
 * const searchHedge = {
 *   delay: "80 millis",
 *   maxHedged: 2,
 *   isRetryable: Classify.isTransientNetworkError,
 *   name: "search"
 * } satisfies Hedge.Options
 *
 * const results = Hedge.race(search("effect"), searchHedge) // Effect<ReadonlyArray<string>, Error>
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<in E = unknown> {
  /**
   * How long to wait after the latest attempt started before starting the next hedge: a finite, non-negative
   * duration. Required: set it near the dependency's p95 latency. `0` starts every hedge at once.
   */
  readonly delay: Duration.Input
  /** Attempts beyond the primary one, an integer in [1, 10]: at most `maxHedged + 1` attempts. Defaults to 1. */
  readonly maxHedged?: number | undefined
  /**
   * Whether a typed failure of one attempt is worth another attempt. A retryable failure starts the next hedge at
   * once; any other ends the call with that failure. Defaults to every typed failure being retryable.
   */
  readonly isRetryable?: ((error: E) => boolean) | undefined
  /** The key of a retry budget that must grant each hedge (the `RetryBudget` service). Defaults to no budget. */
  readonly budget?: string | undefined
  /** Names the hedge and turns on its metrics, span events and logs. Defaults to no name and no telemetry. */
  readonly name?: string | undefined
}

// ---------------------------------------------------------------------------------------------------------------
// combinators
// ---------------------------------------------------------------------------------------------------------------

/**
 * Runs a program, and starts another attempt of it each time `delay` passes without a success, up to `maxHedged`
 * more; the first attempt to succeed wins and every other one is interrupted and awaited before the call returns.
 *
 * **When to use**
 *
 * Idempotent reads from a dependency with a slow tail: replicated stores, search, caches, name resolution. Hedging
 * trades a little more load for a much shorter p99.
 *
 * **Details**
 *
 * | option | default | meaning |
 * |---|---|---|
 * | `delay` | required | wait after the latest attempt started before the next hedge starts |
 * | `maxHedged` | 1 | hedges beyond the primary attempt, an integer in [1, 10] |
 * | `isRetryable` | every typed failure | which failures start the next hedge at once |
 * | `budget` | none | a `RetryBudget` key that must grant each hedge |
 * | `name` | none | the `policy` label of the metrics; without it, no telemetry |
 *
 * ```text
 * t = 0              the primary attempt starts
 * t = delay          no success yet: hedge 1 starts (if the budget grants it)
 * t = 2 · delay      no success yet: hedge 2 starts, ... up to maxHedged hedges
 * retryable failure  the next hedge starts at once; the next delay counts from it
 * first success      every other attempt is interrupted and awaited; the call succeeds with that value
 * other failure      every other attempt is interrupted and awaited; the call fails with it
 * all attempts fail  the call fails with the primary attempt's failure
 * ```
 *
 * What ends an attempt, and what it does to the call:
 *
 * - a success wins, whichever attempt it comes from;
 * - a typed failure that `isRetryable` accepts is that attempt's failure: the next hedge starts at once, if any is
 *   left and the budget grants it; the attempts still running go on;
 * - a typed failure that `isRetryable` rejects is the call's result, as a non-handled outcome is in Polly's hedging:
 *   the call fails with it at once, since another attempt would fail the same way;
 * - a defect (or an attempt interrupting itself) ends the call at once with that cause: defects are bugs, never
 *   retried or hedged, as with `Effect.retry`;
 * - a rejection of this library's (`Classify.isRejection`: a full bulkhead, an open circuit, an attempt timeout
 *   inside the program) is that attempt's failure and stops hedging: no further hedge starts, since the client is
 *   shedding load; the attempts still running go on. It never reaches `isRetryable` and never counts against the
 *   budget.
 *
 * When every attempt fails, the call fails with the primary attempt's failure, whatever the hedges failed with and
 * whenever. Interrupting the call interrupts every attempt at once and awaits them all: no attempt outlives its
 * call, in any outcome. Attempts run in child fibers of the caller, with its context and current span.
 *
 * With `budget`, the `RetryBudget` service is required (and appears in the requirement type). Each call counts as
 * one call of the budget; each hedge must be granted by `acquire`, and a refusal stops hedging while the attempts
 * already running go on; each retryable failure that is not a rejection counts against the downstream; a success
 * counts for it. The primary attempt is never refused.
 *
 * Telemetry, only when `name` is given:
 *
 * - counter `resilience_hedge_attempts_total{policy, kind}`, kind `primary` or `hedge`: attempts started;
 * - counter `resilience_hedge_calls_total{policy, outcome}`, outcome `primary_won`, `hedge_won` or `failed` (a call
 *   interrupted by its caller is not counted);
 * - a span event `hedge` on the current span as each hedge starts, with attributes `attempt` (the hedge's number,
 *   1 for the first hedge) and `reason` (`"delay"` or `"failure"`), and the same as a Debug log `hedge started`.
 *
 * Bad options raise a `RangeError` when `race` is called, in either form, before any effect runs.
 *
 * Measured under `TestClock` (the suite's slow-tail test): 1,000 calls to a dependency whose every 20th execution
 * takes 1 s and the others 10 ms have a p99 of 1,000 ms alone and of 60 ms with `{ delay: 50, maxHedged: 1 }`, for
 * 52 extra executions (5.2 %).
 *
 * **Gotchas**
 *
 * - Hedging runs the program several times at once: hedge only what is safe to repeat. An interrupted attempt stops
 *   in this process, but a request it already sent may still reach the server.
 * - Each hedge is more load. With `delay` near the p95, about 5 % of calls hedge; during an outage, when every call
 *   is slow, every call hedges: bound that with `budget`.
 * - An attempt timeout inside the hedged program is a rejection, so it stops hedging: keep it longer than
 *   `delay · maxHedged`, so that every hedge has started before the first attempt can time out. Put a total timeout
 *   outside `race`.
 * - A bulkhead inside the hedged program gives each attempt its own slot; outside, a call and its hedges share one.
 * - A retry policy around `race` sees one failure per call, the primary attempt's, once every attempt has failed;
 *   each retry is a new hedged call.
 * - In a pipe, TypeScript cannot infer the parameter of an inline `isRetryable`: annotate it, or use the data-first
 *   form.
 *
 * **Example**
 *
 * ```ts
 * import { Data, Effect } from "effect"
 * import { Hedge, RetryBudget } from "effect-resilience"
 *
 * class NotFound extends Data.TaggedError("NotFound")<{}> {}
 * class Unavailable extends Data.TaggedError("Unavailable")<{}> {}
 *
 * declare const lookup: (key: string) => Effect.Effect<string, NotFound | Unavailable>
 *
 * // A second attempt after 50 ms without an answer, or at once after an Unavailable.
 * const fast = Hedge.race(lookup("user:42"), {
 *   delay: "50 millis",
 *   maxHedged: 1,
 *   isRetryable: (error) => error._tag === "Unavailable",
 *   name: "profile.lookup"
 * })
 *
 * // Each hedge drawn on a budget shared with the process's retries: the RetryBudget service is required,
 * // provided once for the whole application.
 * const budgeted = lookup("user:42").pipe(Hedge.race({ delay: "50 millis", maxHedged: 2, budget: "profile" }))
 * const main = Effect.forEach(["a", "b"], () => budgeted).pipe(
 *   Effect.provide(RetryBudget.layerMemory({ algorithm: "ratio", percent: 0.05 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const race: {
  <E>(options: Options<E> & { readonly budget?: undefined }): <A, E2 extends E, R>(
    self: Effect.Effect<A, E2, R>
  ) => Effect.Effect<A, E2, R>
  <E>(options: Options<E>): <A, E2 extends E, R>(
    self: Effect.Effect<A, E2, R>
  ) => Effect.Effect<A, E2, R | RetryBudget.RetryBudget>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    options: Options<NoInfer<E>> & { readonly budget?: undefined }
  ): Effect.Effect<A, E, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    options: Options<NoInfer<E>>
  ): Effect.Effect<A, E, R | RetryBudget.RetryBudget>
} = function(...args: [Effect.Effect<any, any, any>, Options<any>] | [Options<any>]): any {
  // Validated at once in both forms, so that a pipeline built once reports bad options before its first call.
  if (args.length === 1) {
    const config = validate("Hedge.race", args[0])
    return (self: Effect.Effect<any, any, any>) => hedge(self, config)
  }
  return hedge(args[0], validate("Hedge.race", args[1]))
}

// ---------------------------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------------------------

interface Config {
  readonly delay: number
  readonly maxHedged: number
  readonly isRetryable: (error: unknown) => boolean
  readonly budget: string | undefined
  readonly telemetry: Telemetry | undefined
}

const validate = (fn: string, options: Options<any>): Config => {
  if (typeof options !== "object" || options === null) {
    throw rangeError(fn, "options", "an object { delay, maxHedged?, isRetryable?, budget?, name? }", options)
  }
  knownOptions(fn, options, ["delay", "maxHedged", "isRetryable", "budget", "name"])
  const { budget, isRetryable = retryEverything, maxHedged = 1, name } = options
  const delay = durationMillis(fn, "delay", options.delay)
  if (typeof maxHedged !== "number" || !Number.isInteger(maxHedged) || maxHedged < 1 || maxHedged > 10) {
    throw rangeError(fn, "maxHedged", "an integer in [1, 10]", maxHedged)
  }
  if (typeof isRetryable !== "function") throw rangeError(fn, "isRetryable", "a function", isRetryable)
  if (budget !== undefined && (typeof budget !== "string" || budget.length === 0)) {
    throw rangeError(fn, "budget", "a non-empty string", budget)
  }
  if (name !== undefined && (typeof name !== "string" || name.length === 0)) {
    throw rangeError(fn, "name", "a non-empty string", name)
  }
  return { delay, maxHedged, isRetryable, budget, telemetry: name === undefined ? undefined : makeTelemetry(name) }
}

const retryEverything = (): boolean => true

/** Why an attempt starts: the primary one, or a hedge after the delay or after a retryable failure. */
type Reason = "primary" | "delay" | "failure"

/** The end of one attempt, numbered from 0 for the primary. */
interface Settled<A, E> {
  readonly attempt: number
  readonly exit: Exit.Exit<A, E>
}

// One loop reacts to each attempt's end, and to the delay passing, in the caller's fiber. Everything but the waits
// (for an attempt, the delay or the budget's store) is uninterruptible, so that an attempt is never forked without
// being recorded, and the finalizer that interrupts and awaits the attempts still running sees every one of them.
const hedge = <A, E, R>(self: Effect.Effect<A, E, R>, config: Config): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const { budget, delay, isRetryable, maxHedged, telemetry } = config
      const store = budget === undefined ? undefined : yield* Effect.service(RetryBudget.RetryBudget)
      const settled = yield* Queue.unbounded<Settled<A, E>>()
      const running = new Map<number, Fiber.Fiber<A, E>>()
      let started = 0
      let hedging = true
      let lastStart = 0
      let primaryFailure: Cause.Cause<E> = Cause.empty
      let winner = -1

      // Starts the next attempt, unless it is a hedge the budget refuses; a refusal stops hedging.
      const start = (reason: Reason) =>
        Effect.gen(function*() {
          const attempt = started
          const now = yield* Clock.currentTimeMillis
          if (attempt > 0 && store !== undefined && !(yield* restore(store.acquire(budget!, now)))) {
            hedging = false
            return
          }
          if (telemetry !== undefined) yield* telemetry.started(attempt, reason, now)
          started++
          hedging = started <= maxHedged
          lastStart = now
          const fiber = yield* Effect.forkChild(self, { startImmediately: true })
          running.set(attempt, fiber)
          fiber.addObserver((exit) => Queue.offerUnsafe(settled, { attempt, exit }))
        })

      // The next attempt to end, or `none` when the delay has passed and a hedge is due.
      const next: Effect.Effect<Option.Option<Settled<A, E>>> = Effect.suspend(() => {
        if (!hedging) return Effect.map(Queue.take(settled), Option.some)
        return Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const remaining = lastStart + delay - now
          return remaining > 0 ? Effect.timeoutOption(Queue.take(settled), remaining) : Queue.poll(settled)
        })
      })

      const loop = Effect.gen(function*() {
        if (store !== undefined) yield* restore(store.call(budget!, yield* Clock.currentTimeMillis))
        yield* start("primary")
        while (running.size > 0) {
          const event = yield* restore(next)
          if (Option.isNone(event)) {
            yield* start("delay")
            continue
          }
          const { attempt, exit } = event.value
          running.delete(attempt)
          if (Exit.isSuccess(exit)) {
            winner = attempt
            if (store !== undefined) yield* restore(store.success(budget!, yield* Clock.currentTimeMillis))
            return exit.value
          }
          const failure = typedFailure(exit.cause)
          if (Option.isNone(failure)) return yield* Effect.failCause(exit.cause)
          if (attempt === 0) primaryFailure = exit.cause
          if (isRejection(failure.value)) {
            hedging = false
            continue
          }
          if (!isRetryable(failure.value)) return yield* Effect.failCause(exit.cause)
          if (store !== undefined) yield* restore(store.failure(budget!, yield* Clock.currentTimeMillis))
          if (hedging) yield* start("failure")
        }
        return yield* Effect.failCause(primaryFailure)
      })

      return yield* Effect.onExit(loop, (exit) => {
        const stopAll = Fiber.interruptAll(running.values())
        return telemetry === undefined ? stopAll : Effect.andThen(stopAll, telemetry.ended(exit, winner))
      })
    })
  ) as Effect.Effect<A, E, R>

// A failure is typed when its cause holds only failures, no defect and no interruption.
const typedFailure = <E>(cause: Cause.Cause<E>): Option.Option<E> => {
  const reasons = cause.reasons
  return reasons.length > 0 && reasons.every(Cause.isFailReason) ? Option.some(reasons[0]!.error) : Option.none()
}

const metrics = {
  attempts: family((attributes) =>
    Metric.counter("resilience_hedge_attempts_total", {
      description: "Attempts started by hedged calls, by kind: primary or hedge",
      incremental: true,
      attributes
    })
  ),
  calls: family((attributes) =>
    Metric.counter("resilience_hedge_calls_total", {
      description: "Hedged calls, by outcome: primary_won, hedge_won or failed",
      incremental: true,
      attributes
    })
  )
} as const

/** What a named hedge records as an attempt starts and as a call ends. */
interface Telemetry {
  readonly started: (attempt: number, reason: Reason, now: number) => Effect.Effect<void>
  readonly ended: (exit: Exit.Exit<unknown, unknown>, winner: number) => Effect.Effect<void>
}

// Labels are bound once per `race`, so that recording allocates no label sets.
const makeTelemetry = (name: string): Telemetry => {
  const count = (
    metric: (attributes: Record<string, string>) => Metric.Counter<number>,
    label: string,
    value: string
  ) => metric({ policy: name, [label]: value })
  const primary = count(metrics.attempts, "kind", "primary")
  const hedged = count(metrics.attempts, "kind", "hedge")
  const outcomes = {
    primary_won: count(metrics.calls, "outcome", "primary_won"),
    hedge_won: count(metrics.calls, "outcome", "hedge_won"),
    failed: count(metrics.calls, "outcome", "failed")
  }
  return {
    started: (attempt, reason, now) => {
      if (reason === "primary") return Metric.update(primary, 1)
      const attributes = { attempt, reason }
      return Effect.all([
        Metric.update(hedged, 1),
        Effect.match(Effect.currentSpan, {
          onFailure: () => undefined,
          onSuccess: (span) => span.event("hedge", BigInt(Math.floor(now)) * 1_000_000n, attributes)
        }),
        Effect.logDebug("hedge started").pipe(Effect.annotateLogs({ policy: name, ...attributes }))
      ], { discard: true })
    },
    ended: (exit, winner) => {
      if (Exit.isSuccess(exit)) return Metric.update(winner === 0 ? outcomes.primary_won : outcomes.hedge_won, 1)
      return Cause.hasInterruptsOnly(exit.cause) ? Effect.void : Metric.update(outcomes.failed, 1)
    }
  }
}
