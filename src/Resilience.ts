/**
 * One pipeline of resilience strategies in a fixed, documented order, so that they compose the same way every time.
 *
 * Outer to inner:
 *
 * ```text
 * bulkhead → total timeout → retry (with its budget) → hedge → circuit breaker → attempt timeout → the call
 * ```
 *
 * - The **bulkhead** is outermost, so a whole call, retries included, holds one slot, and a full bulkhead rejects
 *   before any work or budget is spent.
 * - The **total timeout** bounds the call with its retries and sleeps; it is never retried.
 * - The **retry** sees each attempt's failure, including an attempt timeout, which it retries like any transient
 *   failure, and an open circuit, which it waits out when that fits its limits; its budget is drawn on for each
 *   retry.
 * - The **hedge** races further attempts when one is slow; each hedged attempt goes through the breaker.
 * - The **circuit breaker** sees every attempt, so it trips on what the downstream does, and rejects attempts while
 *   open without calling it.
 * - The **attempt timeout** bounds each attempt.
 *
 * Every strategy is optional. The pipeline's error type adds exactly the rejections its options can raise.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as Bulkhead from "./Bulkhead.ts"
import * as CircuitBreaker from "./CircuitBreaker.ts"
import * as Classify from "./Classify.ts"
import * as Hedge from "./Hedge.ts"
import { configOf, make as makePolicy } from "./internal/policy.ts"
import { knownOptions, rangeError } from "./internal/validate.ts"
import * as Policy from "./Policy.ts"
import type * as RetryBudget from "./RetryBudget.ts"
import * as Timeout from "./Timeout.ts"

/**
 * What a pipeline may contain. Every field is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** A bulkhead shared by every call of the pipeline, or the options to make one. */
  readonly bulkhead?: Bulkhead.Bulkhead | Bulkhead.Options | undefined
  /** The longest a whole call may take, retries and sleeps included. */
  readonly totalTimeout?: Duration.Input | undefined
  /** The retry policy, with its budget when it has one. */
  readonly retry?: Policy.Policy<any, any, any> | undefined
  /** Hedging of slow attempts. */
  readonly hedge?: Hedge.Options<any> | undefined
  /** A circuit breaker shared by every call of the pipeline, or the options to make one. */
  readonly breaker?: CircuitBreaker.CircuitBreaker | CircuitBreaker.Options | undefined
  /** The longest one attempt may take. */
  readonly attemptTimeout?: Duration.Input | undefined
}

/**
 * The rejections a pipeline with options `O` can raise: each strategy's own error, unless the options leave that
 * strategy out.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Rejections<O extends Options> =
  | (Configures<O, "bulkhead"> extends true ? Bulkhead.BulkheadRejected : never)
  | (Configures<O, "totalTimeout"> extends true ? Timeout.TotalTimeout : never)
  | (Configures<O, "breaker"> extends true ? CircuitBreaker.CircuitOpen : never)
  | (Configures<O, "attemptTimeout"> extends true ? Timeout.AttemptTimeout : never)

/**
 * Whether options `O` may configure the strategy `K`: false only when `K` is absent or can only be `undefined`.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Configures<O, K extends string> = K extends keyof O ? O[K] extends undefined ? false : true : false

/**
 * The failures a pipeline's retry policy must accept: its input type, or anything when there is no policy.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Accepts<O extends Options> = O extends { readonly retry: Policy.Policy<infer E, any, any> } ? E : unknown

/**
 * What a pipeline's retry policy requires from the environment (the `RetryBudget` of a budgeted policy).
 *
 * @since 0.1.0
 * @category type-level
 */
export type Requires<O extends Options> =
  | (O extends { readonly retry: Policy.Policy<any, any, infer R> } ? R : never)
  | (Configures<O, "hedge"> extends true
    ? Configures<NonNullable<O["hedge"]>, "budget"> extends true ? RetryBudget.RetryBudget : never
    : never)

/**
 * A pipeline: applies its strategies, in order, to any effect whose failures its retry policy accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pipeline<O extends Options> {
  <A, E extends Accepts<O>, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Rejections<O>, R | Requires<O>>
}

/**
 * Builds a pipeline from the strategies the caller configures, in the fixed order
 * bulkhead → total timeout → retry → attempt timeout → the call.
 *
 * **Details**
 *
 * Rejections of this library's are routed around the retry policy's classifiers, hints and taps, which only ever
 * see failures of the call: an attempt timeout is always retryable (within the policy's limits and budget), a total
 * timeout and a full bulkhead never reach the retry. None of them counts against the downstream in a budget. The
 * policy's telemetry (`Policy.observed`) sees every decision, timeouts included, with `error.type` `AttemptTimeout`.
 * Run the pipeline's effect with its retry through `Policy.retry`, so that budgets hear of successes and calls are
 * counted. A bulkhead given as options is made once, when the pipeline is built, and shared by all its calls.
 *
 * **Gotchas**
 *
 * An attempt timeout longer than the total timeout never fires. An attempt timeout never counts as a failure in the
 * breaker; give the breaker a `slowCallDuration` below the attempt timeout so that a hanging dependency trips it.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy, Resilience } from "effect-resilience"
 *
 * declare const getOrder: (id: string) => Effect.Effect<string, Error>
 *
 * const program = Effect.gen(function*() {
 *   const resilient = yield* Resilience.make({
 *     bulkhead: { maxConcurrent: 50, maxQueued: 100 },
 *     totalTimeout: "10 seconds",
 *     retry: Policy.exponential({ maxRetries: 3 }),
 *     attemptTimeout: "2 seconds"
 *   })
 *   // Effect<string, Error | BulkheadRejected | TotalTimeout | AttemptTimeout>
 *   return yield* resilient(getOrder("42"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const O extends Options>(options: O): Effect.Effect<Pipeline<O>> => {
  const fn = "Resilience.make"
  knownOptions(fn, options, ["bulkhead", "totalTimeout", "retry", "hedge", "breaker", "attemptTimeout"])
  if (options.retry !== undefined && !Policy.isPolicy(options.retry)) {
    throw rangeError(fn, "retry", "a Policy", options.retry)
  }
  // Everything is validated now, not on the first call, and errors name the option of this function.
  const attemptTimeout = options.attemptTimeout === undefined
    ? undefined
    : within("attemptTimeout", () => Timeout.attempt(options.attemptTimeout!))
  const totalTimeout = options.totalTimeout === undefined
    ? undefined
    : within("totalTimeout", () => Timeout.total(options.totalTimeout!))
  const retry = options.retry === undefined ? undefined : routeRejections(options.retry)
  const hedge = options.hedge === undefined ? undefined : within("hedge", () => Hedge.race(options.hedge!))
  const bulkhead = options.bulkhead === undefined
    ? Effect.succeed(undefined)
    : isBulkhead(options.bulkhead)
    ? Effect.succeed(options.bulkhead)
    : within("bulkhead", () => Bulkhead.make(options.bulkhead as Bulkhead.Options))
  const breaker = options.breaker === undefined
    ? Effect.succeed(undefined)
    : isBreaker(options.breaker)
    ? Effect.succeed(options.breaker)
    : within("breaker", () => CircuitBreaker.make(options.breaker as CircuitBreaker.Options))

  return Effect.map(Effect.all([bulkhead, breaker]), ([bulkhead, breaker]) => {
    const pipeline = (effect: Effect.Effect<any, any, any>) => {
      let result = effect
      if (attemptTimeout !== undefined) result = attemptTimeout(result)
      if (breaker !== undefined) result = breaker.run(result)
      if (hedge !== undefined) result = hedge(result)
      if (retry !== undefined) result = Policy.retry(result, retry)
      if (totalTimeout !== undefined) result = totalTimeout(result)
      if (bulkhead !== undefined) result = bulkhead.run(result)
      return result
    }
    return pipeline as Pipeline<O>
  })
}

/**
 * A pipeline with the defaults of .NET's standard HTTP resilience handler, for calls made with Effect's
 * `HttpClient`.
 *
 * **Details**
 *
 * - bulkhead: 1000 concurrent calls, no queue (.NET's concurrency limiter);
 * - total timeout: 30 s;
 * - retry: 3 retries on the decorrelated curve (Polly's jittered exponential backoff), 2 s median first delay, at
 *   most 30 s each; transient HTTP failures only; `Retry-After` obeyed up to 30 s;
 * - circuit breaker: opens when 10 % of calls fail over 30 s with at least 100 calls, broken for 5 s, one probe;
 *   only transient HTTP failures count;
 * - attempt timeout: 10 s.
 *
 * The bulkhead, retry policy and breaker are named `standard` (their metrics' `policy` label) unless `name` says
 * otherwise. Unlike .NET's handler, an attempt timeout does not count as a failure in the breaker: it is a rejection
 * of this library's. A dependency that hangs is cut by the timeouts but never opens this preset's breaker; build the
 * pipeline with `make` and a breaker `slowCallDuration` below the attempt timeout when that matters.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { Resilience } from "effect-resilience"
 *
 * const program = Effect.gen(function*() {
 *   const resilient = yield* Resilience.standard({ name: "catalog" })
 *   const client = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)
 *   return yield* resilient(client.get("http://127.0.0.1:8080/items"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const standard = (options: { readonly name?: string | undefined } = {}) => {
  const fn = "Resilience.standard"
  knownOptions(fn, options, ["name"])
  if (options.name !== undefined && (typeof options.name !== "string" || options.name.length === 0)) {
    throw rangeError(fn, "name", "a non-empty string", options.name)
  }
  return make({
    bulkhead: { maxConcurrent: 1000, maxQueued: 0, name: options.name ?? "standard" },
    totalTimeout: "30 seconds",
    retry: Policy.decorrelated<HttpClientError.HttpClientError>({ base: "2 seconds", max: "30 seconds", maxRetries: 3 })
      .pipe(
        Policy.retryWhile(Classify.isTransientHttpError),
        Policy.retryAfter(Classify.retryAfterHint, { max: "30 seconds" }),
        Policy.observed(options.name ?? "standard")
      ),
    breaker: {
      trip: "failure-ratio",
      failureRatio: 0.1,
      samplingDuration: "30 seconds",
      minimumThroughput: 100,
      breakDuration: "5 seconds",
      // Like the retry, the breaker counts transient HTTP failures only: a 404 says nothing of the server's health.
      isFailure: Classify.isTransientHttpError,
      name: options.name ?? "standard"
    },
    attemptTimeout: "10 seconds"
  })
}

// ---------------------------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------------------------

// Runs the validation of one strategy's options and, when it fails, names this function and the option path the
// caller wrote: `Resilience.make: option "hedge.delay" must be ...` rather than the inner function's name.
const within = <A>(option: string, validate: () => A): A => {
  try {
    return validate()
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    const renamed = error.message
      .replace(
        /^[\w.]+: option "([^"]+)"/,
        (_, inner: string) =>
          `Resilience.make: option "${inner === "timeout" || inner === "options" ? option : `${option}.${inner}`}"`
      )
      .replace(/^[\w.]+: options must/, `Resilience.make: option "${option}" must`)
    throw new RangeError(renamed, { cause: error })
  }
}

const isBulkhead = (u: Bulkhead.Bulkhead | Bulkhead.Options): u is Bulkhead.Bulkhead =>
  typeof u === "object" && u !== null && typeof (u as Bulkhead.Bulkhead).run === "function"

const isBreaker = (u: CircuitBreaker.CircuitBreaker | CircuitBreaker.Options): u is CircuitBreaker.CircuitBreaker =>
  typeof u === "object" && u !== null && typeof (u as CircuitBreaker.CircuitBreaker).run === "function"

// The user's classifiers, hints and taps are typed on the call's failures; the pipeline's own rejections inside the
// retry skip them. An attempt timeout is retryable, and an open circuit is waited out or ends the policy (the
// driver handles it before any classifier). Rejections raised by the call itself, such as a nested pipeline's
// timeout, are the call's failures like any other and go through the classifiers.
const routeRejections = (policy: Policy.Policy<any, any, any>): Policy.Policy<any, any, any> => {
  const config = configOf(policy)
  const own = (error: unknown) => Timeout.isAttemptTimeout(error) || CircuitBreaker.isCircuitOpen(error)
  return makePolicy({
    ...config,
    classifiers: config.classifiers.map((classify) => (error: unknown) => own(error) || classify(error)),
    hints: config.hints.map((hint) => ({
      ...hint,
      read: (error: unknown, now: number) => own(error) ? undefined : hint.read(error, now)
    })),
    taps: config.taps.map((tap) => (step, error) => own(error) ? Effect.void : tap(step, error))
  })
}
