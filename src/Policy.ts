/**
 * Retry policies as typed Effect `Schedule`s.
 *
 * A `Policy<E>` is a `Schedule<Policy.Step, E>`: its input is the failure of the program it retries, so
 * `Effect.retry(program, policy)`, `Effect.retryOrElse`, `Stream.retry` and every other Schedule consumer accept it
 * as it is. Policies are immutable values; each combinator returns a new one, and each run of a policy
 * (each `Effect.retry`) starts with fresh state.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type { Predicate, Refinement } from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import type { Curve } from "./internal/curve.ts"
import type { Hint } from "./internal/driver.ts"
import * as driver from "./internal/driver.ts"
import { budgetSuccess, configOf, make, TypeId, update, withDriver } from "./internal/policy.ts"
import * as internal from "./internal/policy.ts"
import * as Telemetry from "./internal/telemetry.ts"
import { durationMillis, knownOptions, optionalDurationMillis, rangeError, retryCount } from "./internal/validate.ts"
import * as Jitter from "./Jitter.ts"
import * as RetryBudget from "./RetryBudget.ts"

/**
 * A retry policy: an Effect `Schedule` whose input is the failure `E` and whose output is a {@link Step}.
 *
 * **Details**
 *
 * `E` is what the policy accepts: `Effect.retry(program, policy)` compiles only when every failure of `program` is
 * assignable to `E`. `S` is what reaches the policy's later classifiers and hints after earlier refinements
 * ({@link retryWhile}); it starts equal to `E`. A policy built without classifiers accepts `unknown`, so it retries
 * any program.
 *
 * **Gotchas**
 *
 * Only typed failures reach a policy. Defects and interruptions are never retried: that is Effect's rule for
 * `Effect.retry`, and this library keeps it.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy } from "effect-resilience"
 *
 * const policy: Policy.Policy<unknown> = Policy.exponential({ maxRetries: 5 })
 * const program = Effect.fail("boom").pipe(Effect.retry(policy))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Policy<in E = unknown, in S = E, out R = never> extends Schedule.Schedule<Step, E, never, R> {
  readonly [TypeId]: {
    readonly _E: (_: E) => void
    readonly _S: (_: S) => void
  }
}

/**
 * Why a policy stopped retrying.
 *
 * - `"max-retries"`: the retry count reached `maxRetries`.
 * - `"max-elapsed"`: the next delay would end past `maxElapsed`, counted from the start of the first attempt.
 * - `"not-retryable"`: a {@link retryWhile} classifier rejected the failure.
 * - `"retry-after-too-long"`: a server hint exceeded the `max` given to {@link retryAfter}.
 * - `"budget-exhausted"`: the retry budget of {@link withBudget} refused the retry.
 * - `"circuit-open"`: the failure was an open circuit's rejection, and waiting until it may admit a probe does not
 *   fit the policy's limits (its `max` delay, its `maxElapsed`), or the circuit is held open by hand.
 *
 * @since 0.1.0
 * @category models
 */
export type StopReason = driver.StopReason

/**
 * What a policy decided for one failure; the output of the schedule.
 *
 * **Details**
 *
 * - `attempt`: the number of the retry this step schedules, 1 for the first retry. On a stop, the number of the
 *   retry that was refused, so `attempt - 1` retries ran.
 * - `delay`: the sleep before that retry. On a stop, the delay that was refused (`"max-elapsed"` and
 *   `"retry-after-too-long"`), or zero.
 * - `elapsed`: time from the start of the first attempt to this failure.
 * - `delayReason`: `"backoff"` when the curve chose the delay, `"retry-after"` when a server hint did,
 *   `"circuit-open"` when the policy waits for an open circuit to admit a probe.
 * - `stop`: `undefined` while retrying; the {@link StopReason} on the step that ends the policy. That step is the
 *   output `Effect.retryOrElse` hands to its handler.
 *
 * @since 0.1.0
 * @category models
 */
export type Step = driver.Step

/**
 * Options shared by every constructor.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommonOptions {
  /** Jitter applied to each curve value: a `Jitter`, or a number `f` meaning `Jitter.proportional(f)`. */
  readonly jitter?: Jitter.Input | undefined
  /** Retries after the first attempt; `0` runs once, `Infinity` retries without limit. Defaults to 3. */
  readonly maxRetries?: number | undefined
  /** Wall time from the start of the first attempt after which no retry starts. Defaults to no limit. */
  readonly maxElapsed?: Duration.Input | undefined
  /** Lower bound for each delay, applied after jitter. Defaults to 0. */
  readonly min?: Duration.Input | undefined
}

/**
 * Options of {@link constant}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConstantOptions extends CommonOptions {
  /** The delay before every retry. Defaults to 1 second. */
  readonly delay?: Duration.Input | undefined
  /** Upper bound for each delay, applied after jitter. Defaults to no bound. */
  readonly max?: Duration.Input | undefined
}

/**
 * Options of {@link linear}, {@link fibonacci} and {@link decorrelated}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CurveOptions extends CommonOptions {
  /** The first delay (for `decorrelated`, the median first delay). Defaults to 100 milliseconds. */
  readonly base?: Duration.Input | undefined
  /** Upper bound for each delay, applied to the curve and again after jitter. Defaults to 20 seconds. */
  readonly max?: Duration.Input | undefined
}

/**
 * Options of {@link exponential}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExponentialOptions extends CurveOptions {
  /** Growth per retry, at least 1. Defaults to 2. */
  readonly factor?: number | undefined
}

/**
 * Options of {@link retryAfter}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryAfterOptions {
  /** The longest hint the caller accepts. Required: a server may ask for hours. */
  readonly max: Duration.Input
  /** What a longer hint does: `"stop"` (the default) ends the policy, `"clamp"` waits `max` instead. */
  readonly onTooLong?: "stop" | "clamp" | undefined
}

/**
 * An imperative handle on one run of a policy, for loops that do not fit `Effect.retry`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Controller<in E> {
  /**
   * Records a failure. Sleeps the next delay and succeeds with `true`, or succeeds with `false` at once when the
   * policy has stopped. After a `false`, every later call answers `false` again.
   */
  readonly next: (error: E) => Effect.Effect<boolean>
  /** The last step decided, if any; after a `false` from `next`, it carries the stop reason. */
  readonly lastStep: Effect.Effect<Option.Option<Step>>
}

const commonOptionNames = ["jitter", "maxRetries", "maxElapsed", "min", "max"] as const

const defaults = {
  base: 100,
  max: 20_000,
  constantDelay: 1_000,
  factor: 2,
  maxRetries: 3
} as const

/**
 * Whether a value is a {@link Policy}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isPolicy = (u: unknown): u is Policy<never, never, unknown> => internal.isPolicy(u)

// ---------------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------------

/**
 * The same delay before every retry.
 *
 * **Details**
 *
 * Defaults: `delay` 1 second, no jitter, `maxRetries` 3, no `maxElapsed`, `min` 0, no `max`.
 *
 * **Gotchas**
 *
 * Without jitter, clients that fail together retry together. Add `jitter: 0.2` when many clients share a
 * dependency.
 *
 * **Example**
 *
 * ```ts
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.constant({ delay: "500 millis", maxRetries: 4 }) // 500, 500, 500, 500 ms
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const constant = <E = unknown>(options: ConstantOptions = {}): Policy<E> => {
  const fn = "Policy.constant"
  options = knownOptions(fn, options, [...commonOptionNames, "delay"])
  const delay = optionalDurationMillis(fn, "delay", options.delay, defaults.constantDelay)
  return fromOptions(fn, { _tag: "Constant", delay }, options, Infinity)
}

/**
 * Delays that grow by `base` each retry: `base`, `2·base`, `3·base`, ..., capped at `max`.
 *
 * **Details**
 *
 * Defaults: `base` 100 ms, `max` 20 s, no jitter, `maxRetries` 3, no `maxElapsed`, `min` 0.
 *
 * **Example**
 *
 * ```ts
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.linear({ base: "1 second", max: "3 seconds", maxRetries: 4 }) // 1, 2, 3, 3 s
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const linear = <E = unknown>(options: CurveOptions = {}): Policy<E> => {
  const fn = "Policy.linear"
  options = knownOptions(fn, options, [...commonOptionNames, "base"])
  const base = optionalDurationMillis(fn, "base", options.base, defaults.base)
  return fromOptions(fn, { _tag: "Linear", base }, options, defaults.max)
}

/**
 * Delays that multiply by `factor` each retry: `base`, `base·factor`, `base·factor²`, ..., capped at `max`, with
 * full jitter by default.
 *
 * **Details**
 *
 * Defaults: `base` 100 ms, `factor` 2, `max` 20 s, `jitter` full, `maxRetries` 3, no `maxElapsed`, `min` 0.
 * The curve is kept capped at `max` before jitter, so it never overflows and jitter never compounds: every delay is
 * finite and within `[min, max]` for any number of retries.
 *
 * **Gotchas**
 *
 * With the default full jitter, the first delay lies anywhere in `[0, 100 ms]`. Pass `jitter: Jitter.none` for the
 * exact curve, or set `min`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Jitter, Policy } from "effect-resilience"
 *
 * // The Go ancestor's defaults: 500, 750, 1125, 1687.5 ms
 * const policy = Policy.exponential({ base: "500 millis", factor: 1.5, jitter: Jitter.none, maxRetries: 4 })
 * const program = Effect.fail("unavailable").pipe(Effect.retry(policy))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const exponential = <E = unknown>(options: ExponentialOptions = {}): Policy<E> => {
  const fn = "Policy.exponential"
  options = knownOptions(fn, options, [...commonOptionNames, "base", "factor"])
  const base = optionalDurationMillis(fn, "base", options.base, defaults.base)
  const factor = options.factor ?? defaults.factor
  if (typeof factor !== "number" || !Number.isFinite(factor) || factor < 1) {
    throw rangeError(fn, "factor", "a finite number >= 1", factor)
  }
  return fromOptions(fn, { _tag: "Exponential", base, factor }, options, defaults.max, Jitter.full)
}

/**
 * Delays that follow the Fibonacci sequence in units of `base`: `base`, `base`, `2·base`, `3·base`, `5·base`, ...,
 * capped at `max`.
 *
 * **Details**
 *
 * Defaults: `base` 100 ms, `max` 20 s, no jitter, `maxRetries` 3, no `maxElapsed`, `min` 0.
 *
 * **Example**
 *
 * ```ts
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.fibonacci({ base: "100 millis", maxRetries: 5 }) // 100, 100, 200, 300, 500 ms
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fibonacci = <E = unknown>(options: CurveOptions = {}): Policy<E> => {
  const fn = "Policy.fibonacci"
  options = knownOptions(fn, options, [...commonOptionNames, "base"])
  const base = optionalDurationMillis(fn, "base", options.base, defaults.base)
  return fromOptions(fn, { _tag: "Fibonacci", base }, options, defaults.max)
}

/**
 * The decorrelated curve of .NET Polly (its "V2" jitter) and cockatiel, with median first delay `base`.
 *
 * **Details**
 *
 * For retry `n = 0, 1, 2, ...`: `t = n + U` with `U` uniform in `[0, 1)`, `next = 2^t · tanh(sqrt(4·t))`, and the
 * delay is `(next - previous) / 1.4 · base`. The curve is random by itself, so the default jitter is none.
 * Defaults: `base` 100 ms, `max` 20 s, `maxRetries` 3, no `maxElapsed`, `min` 0.
 *
 * **Gotchas**
 *
 * Naive versions of this formula return NaN or negative delays after about 1,025 retries, when `2^t` overflows.
 * This one returns `max` from then on.
 *
 * **Example**
 *
 * ```ts
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.decorrelated({ base: "200 millis", max: "10 seconds", maxRetries: 6 })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const decorrelated = <E = unknown>(options: CurveOptions = {}): Policy<E> => {
  const fn = "Policy.decorrelated"
  options = knownOptions(fn, options, [...commonOptionNames, "base"])
  const base = optionalDurationMillis(fn, "base", options.base, defaults.base)
  return fromOptions(fn, { _tag: "Decorrelated", base }, options, defaults.max)
}

// ---------------------------------------------------------------------------------------------------------------
// combinators
// ---------------------------------------------------------------------------------------------------------------

/**
 * Sets how many retries may follow the first attempt: at most `maxRetries + 1` executions.
 *
 * **Details**
 *
 * `0` means one execution and no sleep; `Infinity` retries without limit. Replaces the previous count.
 *
 * **Example**
 *
 * ```ts
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential().pipe(Policy.withMaxRetries(5)) // up to 6 executions
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withMaxRetries: {
  (maxRetries: number): <E, S, R>(self: Policy<E, S, R>) => Policy<E, S, R>
  <E, S, R>(self: Policy<E, S, R>, maxRetries: number): Policy<E, S, R>
} = dual(
  2,
  <E, S, R>(self: Policy<E, S, R>, maxRetries: number): Policy<E, S, R> =>
    update(self, { maxRetries: retryCount("Policy.withMaxRetries", "maxRetries", maxRetries) })
)

/**
 * Limits the wall time of the whole call, counted from the start of the first attempt.
 *
 * **Details**
 *
 * A retry whose delay would end after the limit is not taken: the policy stops at once with `"max-elapsed"`, without
 * sleeping. Server hints count too. The time of the attempts themselves counts, so a slow first attempt leaves less
 * room for retries. Replaces the previous limit.
 *
 * **Gotchas**
 *
 * This bounds when a retry may start, not how long an attempt runs: pair it with `Effect.timeout` on the attempt
 * when a hung call must end.
 *
 * **Example**
 *
 * ```ts
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: Infinity }).pipe(Policy.withMaxElapsed("30 seconds"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withMaxElapsed: {
  (maxElapsed: Duration.Input): <E, S, R>(self: Policy<E, S, R>) => Policy<E, S, R>
  <E, S, R>(self: Policy<E, S, R>, maxElapsed: Duration.Input): Policy<E, S, R>
} = dual(
  2,
  <E, S, R>(self: Policy<E, S, R>, maxElapsed: Duration.Input): Policy<E, S, R> =>
    update(self, { maxElapsed: durationMillis("Policy.withMaxElapsed", "maxElapsed", maxElapsed) })
)

/**
 * Replaces the policy's jitter. A number `f` means `Jitter.proportional(f)`.
 *
 * **Example**
 *
 * ```ts
 * import { Jitter, Policy } from "effect-resilience"
 *
 * const exact = Policy.exponential().pipe(Policy.withJitter(Jitter.none))
 * const spread = Policy.linear().pipe(Policy.withJitter(0.2))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withJitter: {
  (jitter: Jitter.Input): <E, S, R>(self: Policy<E, S, R>) => Policy<E, S, R>
  <E, S, R>(self: Policy<E, S, R>, jitter: Jitter.Input): Policy<E, S, R>
} = dual(
  2,
  <E, S, R>(self: Policy<E, S, R>, jitter: Jitter.Input): Policy<E, S, R> =>
    update(self, { jitter: Jitter.fromInput(jitter, "Policy.withJitter", "jitter") })
)

/**
 * Replaces the policy's upper bound on each delay. The curve is capped at it before jitter and the jittered delay
 * after.
 *
 * **Details**
 *
 * Must be at least the policy's `min`. Server hints are bounded by the `max` of {@link retryAfter} instead.
 *
 * **Example**
 *
 * ```ts
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: 10 }).pipe(Policy.withMaxDelay("2 seconds"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withMaxDelay: {
  (max: Duration.Input): <E, S, R>(self: Policy<E, S, R>) => Policy<E, S, R>
  <E, S, R>(self: Policy<E, S, R>, max: Duration.Input): Policy<E, S, R>
} = dual(2, <E, S, R>(self: Policy<E, S, R>, max: Duration.Input): Policy<E, S, R> => {
  const fn = "Policy.withMaxDelay"
  const millis = durationMillis(fn, "max", max)
  const config = configOf(self)
  if (millis < config.min) throw rangeError(fn, "max", `a duration >= the policy's min (${config.min} ms)`, max)
  const first = config.curve._tag === "Constant" ? config.curve.delay : config.curve.base
  if (millis < first) {
    throw rangeError(
      fn,
      "max",
      `a duration >= the policy's first delay (${first} ms), which it would silently cap`,
      max
    )
  }
  return update(self, { max: millis })
})

/**
 * Retries only the failures a predicate accepts; any other failure stops the policy at once with
 * `"not-retryable"`, without sleeping, and the program fails with that error.
 *
 * **Details**
 *
 * Several `retryWhile` calls must all accept a failure. With a refinement, the combinators that follow see the
 * narrowed type, so a hint can read fields only the narrowed errors have. The policy's input type becomes what the
 * predicate reads, so it cannot be used on a program whose errors the predicate cannot read.
 *
 * **Gotchas**
 *
 * In a pipe, TypeScript cannot infer the parameter type of an inline predicate: annotate it
 * (`(e: MyError) => ...`) or use the data-first form `Policy.retryWhile(policy, (e) => ...)`.
 *
 * **Example**
 *
 * ```ts
 * import { Data, Effect } from "effect"
 * import { Policy } from "effect-resilience"
 *
 * class Unavailable extends Data.TaggedError("Unavailable")<{ readonly retryAfterMs?: number }> {}
 * class BadRequest extends Data.TaggedError("BadRequest") {}
 *
 * const policy = Policy.exponential().pipe(
 *   Policy.retryWhile((e: Unavailable | BadRequest): e is Unavailable => e._tag === "Unavailable"),
 *   Policy.retryAfter((e: Unavailable) => e.retryAfterMs, { max: "30 seconds" })
 * )
 * const program = Effect.fail(new BadRequest()).pipe(Effect.retry(policy)) // fails at once
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const retryWhile: {
  <A, B extends A>(refinement: Refinement<A, B>): <E, S, R>(self: Policy<E, S, R>) => Policy<Accepts<E, S, A>, S & B, R>
  <A>(predicate: Predicate<A>): <E, S, R>(self: Policy<E, S, R>) => Policy<Accepts<E, S, A>, Reaches<S, A>, R>
  <E, S, R, B extends S>(self: Policy<E, S, R>, refinement: Refinement<S, B>): Policy<E, B, R>
  <E, S, R>(self: Policy<E, S, R>, predicate: Predicate<S>): Policy<E, S, R>
} = dual(2, (self: Policy<any, any, any>, predicate: Predicate<any>): Policy<any, any, any> => {
  if (typeof predicate !== "function") {
    throw rangeError("Policy.retryWhile", "predicate", "a function", predicate)
  }
  const config = configOf(self)
  return update(self, { classifiers: [...config.classifiers, predicate] })
})

/**
 * Honours server hints such as HTTP `Retry-After`: when `hint(error, now)` returns a duration, the delay is the
 * larger of the hint and the computed delay.
 *
 * **Details**
 *
 * `now` is the current time in epoch milliseconds from Effect's `Clock`, so hints work under `TestClock`.
 * A hint above `options.max` stops the policy with `"retry-after-too-long"`, or waits `max` when
 * `onTooLong: "clamp"`. Hinted delays still respect `maxElapsed` and count as retries. With several `retryAfter`
 * calls, the first hint that returns a value is used. A hint that returns a negative, NaN or infinite duration is
 * a programming error and fails the fiber with a `RangeError` defect.
 *
 * **Gotchas**
 *
 * The policy's `max` does not bound hinted delays; only `options.max` does. Annotate the hint's parameter type in a
 * pipe (see {@link retryWhile}). A hint given as a date depends on the clock, so `Random.withSeed` reproduces the
 * backoff delays but not such hints; under `TestClock` they are exact.
 *
 * **Example**
 *
 * ```ts
 * import { Classify, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: 5 }).pipe(
 *   Policy.retryWhile(Classify.isTransientHttpError),
 *   Policy.retryAfter(Classify.retryAfterHint, { max: "1 minute" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const retryAfter: {
  <A>(
    hint: (error: A, now: number) => Duration.Input | undefined,
    options: RetryAfterOptions
  ): <E, S, R>(self: Policy<E, S, R>) => Policy<Accepts<E, S, A>, Reaches<S, A>, R>
  <E, S, R>(
    self: Policy<E, S, R>,
    hint: (error: S, now: number) => Duration.Input | undefined,
    options: RetryAfterOptions
  ): Policy<E, S, R>
} = dual(3, (
  self: Policy<any, any, any>,
  hint: (error: any, now: number) => Duration.Input | undefined,
  options: RetryAfterOptions
): Policy<any, any, any> => {
  const fn = "Policy.retryAfter"
  if (typeof hint !== "function") throw rangeError(fn, "hint", "a function", hint)
  if (typeof options !== "object" || options === null) throw rangeError(fn, "options", "{ max, onTooLong? }", options)
  knownOptions(fn, options, ["max", "onTooLong"])
  const onTooLong = options.onTooLong ?? "stop"
  if (onTooLong !== "stop" && onTooLong !== "clamp") {
    throw rangeError(fn, "onTooLong", `"stop" or "clamp"`, onTooLong)
  }
  const entry: Hint = { read: hint, max: durationMillis(fn, "max", options.max), clamp: onTooLong === "clamp" }
  return update(self, { hints: [...configOf(self).hints, entry] })
})

/**
 * Starts the policy over when an attempt ran for at least `duration` before failing: the curve and the retry count
 * return to their first values, and `maxElapsed` counts afresh from that failure.
 *
 * **When to use**
 *
 * Long-lived loops such as a reconnecting stream or a queue consumer, where a failure after hours of health should
 * not inherit the backoff of last night's outage.
 *
 * **Details**
 *
 * The duration is measured from the end of the previous sleep to the failure, so the policy's own delays never
 * count as health.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: 10 }).pipe(Policy.resetAfter("1 minute"))
 * const consume = (events: Stream.Stream<string, Error>) => events.pipe(Stream.retry(policy), Stream.runDrain)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const resetAfter: {
  (duration: Duration.Input): <E, S, R>(self: Policy<E, S, R>) => Policy<E, S, R>
  <E, S, R>(self: Policy<E, S, R>, duration: Duration.Input): Policy<E, S, R>
} = dual(2, <E, S, R>(self: Policy<E, S, R>, duration: Duration.Input): Policy<E, S, R> => {
  const millis = durationMillis("Policy.resetAfter", "duration", duration)
  if (millis === 0) throw rangeError("Policy.resetAfter", "duration", "a positive duration", duration)
  return update(self, { resetAfter: millis })
})

/**
 * Makes every retry draw on a retry budget: when the budget refuses, the policy stops at once with
 * `"budget-exhausted"`, without sleeping, and the program fails with its last error.
 *
 * **When to use**
 *
 * Every client of a shared dependency. Backoff spreads one client's retries; only a budget bounds how many retries
 * a fleet sends when the dependency is down (3 retries at each of 5 layers multiply the load at the bottom by 243).
 *
 * **Details**
 *
 * `key` names the downstream; every policy with the same key shares one budget. The policy requires the
 * `RetryBudget` service (`RetryBudget.layerMemory(options)`). Each run counts as one call; each failure the
 * classifiers accept counts against the downstream, except rejections of this library's (`Classify.isRejection`);
 * a failure the classifiers reject counts for nothing. The budget is asked only for retries the policy would
 * otherwise take, so a stop for any other reason spends nothing.
 *
 * **Gotchas**
 *
 * Provide `RetryBudget` once, high in the application: a layer provided around each call builds a fresh, full
 * budget for each call, which bounds nothing. Successes are seen only by {@link retry}: run budgeted policies with
 * `Policy.retry(program, policy)`. Under plain
 * `Effect.retry`, a token bucket never earns tokens back and ends up refusing every retry. `Policy.delays` and
 * `Policy.start` do not draw on the budget.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy, RetryBudget } from "effect-resilience"
 *
 * declare const search: Effect.Effect<string, Error>
 *
 * const policy = Policy.exponential({ maxRetries: 3 }).pipe(Policy.withBudget("search"))
 * const searchWithRetries = Policy.retry(search, policy)
 *
 * // Provide the budget once, for the whole application: a layer provided around each call gives each call a fresh,
 * // full budget.
 * const main = Effect.forEach(Array.from({ length: 100 }), () => searchWithRetries).pipe(
 *   Effect.provide(RetryBudget.layerMemory({ algorithm: "token-bucket", maxTokens: 100, tokenRatio: 0.1 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withBudget: {
  (key: string): <E, S, R>(self: Policy<E, S, R>) => Policy<E, S, R | RetryBudget.RetryBudget>
  <E, S, R>(self: Policy<E, S, R>, key: string): Policy<E, S, R | RetryBudget.RetryBudget>
} = dual(2, <E, S, R>(self: Policy<E, S, R>, key: string): Policy<E, S, R | RetryBudget.RetryBudget> => {
  if (typeof key !== "string" || key.length === 0) {
    throw rangeError("Policy.withBudget", "key", "a non-empty string", key)
  }
  return update(self, { budget: key })
})

/**
 * Runs an effect on every decision of the policy, the final stop included, with the step and the failure.
 *
 * **When to use**
 *
 * Progress output, audit trails, custom metrics. Unlike `Schedule.tap`, it sees the step that stops the policy and
 * keeps the result a `Policy`, so other combinators can follow it.
 *
 * **Details**
 *
 * Taps run in the order they were added, after the decision and before the sleep; the sleep starts when they
 * finish. A failing tap cannot fail the call (its type is `Effect<void>`); a defect in a tap is a defect of the
 * call.
 *
 * **Example**
 *
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential().pipe(
 *   Policy.tap((step, error: Error) =>
 *     Console.log(step.stop ?? `retry ${step.attempt} in ${step.delay}`, error.message)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const tap: {
  <A>(
    f: (step: Step, error: A) => Effect.Effect<void>
  ): <E, S, R>(self: Policy<E, S, R>) => Policy<Accepts<E, S, A>, Reaches<S, A>, R>
  <E, S, R>(self: Policy<E, S, R>, f: (step: Step, error: S) => Effect.Effect<void>): Policy<E, S, R>
} = dual(
  2,
  (self: Policy<any, any, any>, f: (step: Step, error: any) => Effect.Effect<void>): Policy<any, any, any> => {
    if (typeof f !== "function") throw rangeError("Policy.tap", "f", "a function", f)
    return update(self, { taps: [...configOf(self).taps, f] })
  }
)

/**
 * What a policy is made of, as plain data: the curve, its bounds, limits, jitter and hints, durations in
 * milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Description {
  readonly curve: "constant" | "linear" | "exponential" | "fibonacci" | "decorrelated"
  /** The first curve value (for `constant`, the delay; for `decorrelated`, the median first delay). */
  readonly base: number
  readonly factor: number | undefined
  readonly min: number
  readonly max: number
  readonly jitter: Jitter.Jitter
  readonly maxRetries: number
  readonly maxElapsed: number | undefined
  readonly resetAfter: number | undefined
  readonly classifiers: number
  readonly retryAfter: ReadonlyArray<{ readonly max: number; readonly onTooLong: "stop" | "clamp" }>
  readonly name: string | undefined
  /** The key of the retry budget set by `withBudget`. */
  readonly budget: string | undefined
}

/**
 * Reads a policy back as plain data, for logs, dashboards and help texts.
 *
 * **Details**
 *
 * `max` is `Infinity` for a `constant` policy without a bound. Classifiers and taps are functions, so only their
 * number is reported.
 *
 * **Example**
 *
 * ```ts
 * import { Policy } from "effect-resilience"
 *
 * const { base, max, maxRetries } = Policy.describe(Policy.exponential({ maxRetries: 5 }))
 * // base 100, max 20000, maxRetries 5
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const describe = (policy: Policy<any, any, any>): Description => {
  const config = configOf(policy)
  const curve = config.curve
  return {
    curve: curveNames[curve._tag],
    base: curve._tag === "Constant" ? curve.delay : curve.base,
    factor: curve._tag === "Exponential" ? curve.factor : undefined,
    min: config.min,
    max: config.max,
    jitter: config.jitter,
    maxRetries: config.maxRetries,
    maxElapsed: config.maxElapsed,
    resetAfter: config.resetAfter,
    classifiers: config.classifiers.length,
    retryAfter: config.hints.map((hint) => ({ max: hint.max, onTooLong: hint.clamp ? "clamp" : "stop" })),
    name: config.observer?.name,
    budget: config.budget
  }
}

// ---------------------------------------------------------------------------------------------------------------
// telemetry
// ---------------------------------------------------------------------------------------------------------------

/**
 * Names a policy and instruments it through Effect's own metrics, tracing and logging.
 *
 * **Details**
 *
 * Used with plain `Effect.retry(program, policy)`, the policy records what the schedule sees:
 *
 * - counter `resilience_retry_retries_total{policy}`: retries scheduled;
 * - counter `resilience_retry_stops_total{policy, reason}`: stops, by {@link StopReason};
 * - histogram `resilience_retry_delay_seconds{policy}`: the delays chosen;
 * - a span event `retry` on the current span per retry, with attributes `attempt`, `delay_ms` and `error.type`;
 * - one Debug log per decision (`retry scheduled`, `retry stopped`), annotated with policy, attempt and delay.
 *
 * `error.type` is the failure's `_tag`, else its constructor's name, else `unknown`; never its message or payload,
 * which may carry secrets. Use {@link retry} to also count calls and time attempts.
 *
 * **Gotchas**
 *
 * The name becomes a metric label: keep it to a fixed set (one per downstream and operation), never per request.
 * A policy without `observed` pays nothing for telemetry.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: 5 }).pipe(Policy.observed("payments.charge"))
 * const program = Effect.fail("declined").pipe(Effect.retry(policy))
 * ```
 *
 * @since 0.1.0
 * @category telemetry
 */
export const observed: {
  (name: string): <E, S, R>(self: Policy<E, S, R>) => Policy<E, S, R>
  <E, S, R>(self: Policy<E, S, R>, name: string): Policy<E, S, R>
} = dual(2, <E, S, R>(self: Policy<E, S, R>, name: string): Policy<E, S, R> => {
  if (typeof name !== "string" || name.length === 0) {
    throw rangeError("Policy.observed", "name", "a non-empty string", name)
  }
  return update(self, { observer: Telemetry.makeObserver(name) })
})

/**
 * `Effect.retry` plus what only a wrapper can see: calls by outcome, the duration of each attempt, and a span
 * around the whole call.
 *
 * **Details**
 *
 * - counter `resilience_retry_calls_total{policy, outcome}`, outcome one of `success_without_retry`,
 *   `success_with_retry`, `failed_without_retry`, `failed_with_retry`, `interrupted`;
 * - histogram `resilience_retry_attempt_duration_seconds{policy, outcome}`, outcome `success`, `failure` or
 *   `interrupted`;
 * - a span `resilience.retry` around the call, with attributes `policy`, `attempts` and `outcome`; the policy's
 *   `retry` events land on it;
 * - each success, for the retry budget of a policy made with {@link withBudget}.
 *
 * `policy` is the name given to {@link observed}, or `unnamed`. The result is exactly `Effect.retry`'s.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential().pipe(Policy.observed("inventory.get"))
 * const program = Effect.succeed("ok").pipe(Policy.retry(policy))
 * ```
 *
 * @since 0.1.0
 * @category telemetry
 */
export const retry: {
  <E, S, R2>(policy: Policy<NoInfer<E>, S, R2>): <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | R2>
  <A, E, R, S, R2>(self: Effect.Effect<A, E, R>, policy: Policy<NoInfer<E>, S, R2>): Effect.Effect<A, E, R | R2>
} = dual(2, <A, E, R, S, R2>(self: Effect.Effect<A, E, R>, policy: Policy<E, S, R2>): Effect.Effect<A, E, R | R2> => {
  const config = configOf(policy)
  const name = config.observer?.name ?? "unnamed"
  const budget = config.budget
  // A budget hears of each success here: the schedule only ever sees failures.
  const measured = budget === undefined ? self : Effect.tap(self, () => budgetSuccess(budget)) as Effect.Effect<A, E, R>
  const instruments = Telemetry.callInstruments(name)
  // The span is applied once, outside the per-run state: wrapping on every run costs a stack capture each time.
  return Effect.suspend(() => {
    let attempts = 0
    const attempt = Effect.suspend(() => {
      attempts++
      return Telemetry.timeAttempt(instruments, measured)
    })
    return Effect.retry(attempt, policy).pipe(
      Effect.onExit((exit) => {
        const outcome = Telemetry.callOutcome(exit, attempts)
        return Metric.update(instruments.call[outcome], 1).pipe(
          Effect.andThen(Effect.annotateCurrentSpan({ attempts, outcome }))
        )
      })
    )
  }).pipe(Effect.withSpan("resilience.retry", { attributes: { policy: name } }))
})

// ---------------------------------------------------------------------------------------------------------------
// running
// ---------------------------------------------------------------------------------------------------------------

/**
 * The delays a policy would choose for consecutive failures, without sleeping.
 *
 * **Details**
 *
 * Simulates `retries` failures that each fail at once, on a simulated clock starting at the current time, drawing
 * jitter from the current `Random` (so `Random.withSeed` fixes it). Stops early where the policy would stop. When
 * `error` is given, classifiers and hints see it; without it, they are skipped and only the curve, jitter and limits
 * apply.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Jitter, Policy } from "effect-resilience"
 *
 * const program = Policy.delays(Policy.exponential({ jitter: Jitter.none }), { retries: 5 })
 * // Effect.runSync(program).map(Duration.toMillis) => [100, 200, 400] (maxRetries defaults to 3)
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const delays = <E, S, R>(
  policy: Policy<E, S, R>,
  options: { readonly retries: number; readonly error?: E | undefined }
): Effect.Effect<Array<Duration.Duration>> => {
  knownOptions("Policy.delays", options, ["retries", "error"])
  const retries = options?.retries
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0) {
    throw rangeError("Policy.delays", "retries", "a finite non-negative integer", retries)
  }
  const config = "error" in options ? configOf(policy) : { ...configOf(policy), classifiers: [], hints: [] }
  return withDriver(config, (run, start) => {
    const out: Array<Duration.Duration> = []
    let now = start
    for (let i = 0; i < retries; i++) {
      const step = run.decide(now, options.error)
      if (step.stop !== undefined) break
      out.push(step.delay)
      now += Duration.toMillis(step.delay)
    }
    return out
  })
}

/**
 * Starts one run of a policy and returns a {@link Controller} for imperative retry loops.
 *
 * **Details**
 *
 * The run's clock starts now: `maxElapsed` counts from this call. `next(error)` sleeps through Effect's `Clock`, so
 * interrupting the fiber ends the sleep at once.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy } from "effect-resilience"
 *
 * const fetchOnce: Effect.Effect<string, Error> = Effect.fail(new Error("unavailable"))
 *
 * const program = Effect.gen(function*() {
 *   const controller = yield* Policy.start(Policy.exponential())
 *   while (true) {
 *     const result = yield* Effect.result(fetchOnce)
 *     if (result._tag === "Success") return result.success
 *     if (!(yield* controller.next(result.failure))) return yield* Effect.fail(result.failure)
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const start = <E, S, R>(policy: Policy<E, S, R>): Effect.Effect<Controller<E>> =>
  Effect.clockWith((clock) =>
    withDriver(configOf(policy), ({ decide }) => {
      let last: Option.Option<Step> = Option.none()
      const controller: Controller<E> = {
        next: (error) =>
          Effect.suspend(() => {
            const step = decide(clock.currentTimeMillisUnsafe(), error)
            last = Option.some(step)
            return step.stop === undefined ? Effect.as(Effect.sleep(step.delay), true) : Effect.succeed(false)
          }),
        lastStep: Effect.sync(() => last)
      }
      return controller
    })
  )

// ---------------------------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------------------------

/**
 * The policy's input after a classifier or hint that reads `A` is added: unchanged when every failure reaching that
 * point is an `A` already, otherwise narrowed to `A`.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Accepts<E, S, A> = [S] extends [A] ? E : E & A

/**
 * What reaches the classifiers and hints that follow one that reads `A`.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Reaches<S, A> = [S] extends [A] ? S : S & A

const curveNames = {
  Constant: "constant",
  Linear: "linear",
  Exponential: "exponential",
  Fibonacci: "fibonacci",
  Decorrelated: "decorrelated"
} as const

const fromOptions = <E>(
  fn: string,
  curve: Curve,
  options: CommonOptions & { readonly max?: Duration.Input | undefined },
  defaultMax: number,
  defaultJitter: Jitter.Jitter = Jitter.none
): Policy<E> => {
  const min = optionalDurationMillis(fn, "min", options.min, 0)
  const max = optionalDurationMillis(fn, "max", options.max, defaultMax)
  if (min > max) throw rangeError(fn, "min", `a duration <= max (${max} ms)`, options.min)
  const first = curve._tag === "Constant" ? curve.delay : curve.base
  if (first > max) {
    const option = curve._tag === "Constant" ? "delay" : "base"
    throw rangeError(
      fn,
      option,
      `a duration <= max (${max} ms${options.max === undefined ? ", the default" : ""})`,
      curve._tag === "Constant" ? (options as ConstantOptions).delay ?? first : (options as CurveOptions).base ?? first
    )
  }
  return make({
    curve,
    min,
    max,
    jitter: options.jitter === undefined ? defaultJitter : Jitter.fromInput(options.jitter, fn, "jitter"),
    maxRetries: options.maxRetries === undefined
      ? defaults.maxRetries
      : retryCount(fn, "maxRetries", options.maxRetries),
    maxElapsed: optionalDurationMillis(fn, "maxElapsed", options.maxElapsed, undefined),
    resetAfter: undefined,
    classifiers: [],
    hints: [],
    observer: undefined,
    budget: undefined,
    taps: []
  })
}
