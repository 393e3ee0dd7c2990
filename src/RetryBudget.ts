/**
 * Retry budgets: a bound on how many retries a client sends to one downstream, so that a fleet retrying through an
 * outage cannot multiply the load on a service that is trying to recover.
 *
 * A budget is kept per key (one per downstream a client calls). A policy draws on it with `Policy.withBudget(key)`:
 * every retry must be granted, and a refused retry stops the policy at once with `"budget-exhausted"`. Two
 * algorithms are offered, each with its published semantics:
 *
 * - **token bucket** (gRPC retry throttling): a count starting at `maxTokens`; each downstream failure takes 1, each
 *   success gives back `tokenRatio`; retries are granted only while the count is above `maxTokens / 2`.
 * - **ratio** (Finagle's `RetryBudget`): over the last `ttl`, retries may be at most `percent` of calls, plus a floor
 *   of `minPerSecond` retries per second.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import { family } from "./internal/metric.ts"
import { durationMillis, knownOptions, numberInRange, rangeError } from "./internal/validate.ts"

/**
 * What a budget decides and records, per key. The in-memory store is {@link makeMemory}; a shared store (Redis) can
 * implement the same interface, keeping each operation atomic on its side.
 *
 * **Details**
 *
 * - `call`: a call starts (not a retry). Ratio budgets count it toward the window.
 * - `failure`: an attempt failed in a way that counts against the downstream. Token buckets take a token.
 * - `success`: an attempt succeeded. Token buckets give back `tokenRatio`.
 * - `acquire`: a retry asks for permission; `true` when granted. Ratio budgets count a granted retry.
 * - `state`: the budget's current figures for a key, for tests and dashboards.
 *
 * `now` is epoch milliseconds from Effect's `Clock`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Store {
  readonly call: (key: string, now: number) => Effect.Effect<void>
  readonly failure: (key: string, now: number) => Effect.Effect<void>
  readonly success: (key: string, now: number) => Effect.Effect<void>
  readonly acquire: (key: string, now: number) => Effect.Effect<boolean>
  readonly state: (key: string, now: number) => Effect.Effect<State>
}

/**
 * A budget's figures for one key.
 *
 * - token bucket: `tokens` left (of `maxTokens`);
 * - ratio: `calls` and `retries` within the last `ttl`, and `allowed`, the retries the window allows in all.
 *
 * @since 0.1.0
 * @category models
 */
export type State =
  | { readonly algorithm: "token-bucket"; readonly tokens: number; readonly maxTokens: number }
  | { readonly algorithm: "ratio"; readonly calls: number; readonly retries: number; readonly allowed: number }

/**
 * Options of the token bucket (gRPC retry throttling).
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenBucketOptions {
  readonly algorithm: "token-bucket"
  /** The bucket's size and initial count, in (0, 1000] as gRPC requires. Defaults to 100. */
  readonly maxTokens?: number | undefined
  /** Tokens a success gives back, in (0, 1]. Defaults to 0.1. */
  readonly tokenRatio?: number | undefined
  /** A name for the `policy` label of the budget's metrics. Without one, the budget records no metric. */
  readonly name?: string | undefined
}

/**
 * Options of the ratio budget (Finagle's `RetryBudget`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RatioOptions {
  readonly algorithm: "ratio"
  /** Retries allowed per call over the window, in [0, 1]. Defaults to 0.2 (20 %). */
  readonly percent?: number | undefined
  /** Retries per second allowed whatever the traffic, at least 0. Defaults to 10. */
  readonly minPerSecond?: number | undefined
  /** The window, between 1 second and 1 hour. Defaults to 10 seconds. */
  readonly ttl?: Duration.Input | undefined
  /** A name for the `policy` label of the budget's metrics. Without one, the budget records no metric. */
  readonly name?: string | undefined
}

/**
 * Options of {@link makeMemory} and {@link layerMemory}.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = TokenBucketOptions | RatioOptions

/**
 * The retry budget service that `Policy.withBudget` draws on.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy, RetryBudget } from "effect-resilience"
 *
 * declare const getPrice: Effect.Effect<number, Error>
 *
 * const policy = Policy.exponential({ maxRetries: 3 }).pipe(Policy.withBudget("pricing"))
 * const price = Policy.retry(getPrice, policy)
 *
 * // Provided once for the whole application: every call draws on the same budget.
 * const main = Effect.forEach(Array.from({ length: 100 }), () => price).pipe(
 *   Effect.provide(RetryBudget.layerMemory({ algorithm: "ratio", percent: 0.1 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class RetryBudget extends Context.Service<RetryBudget, Store>()("effect-resilience/RetryBudget") {}

/**
 * An in-memory budget store for one process.
 *
 * **Details**
 *
 * Every operation is a single synchronous update, so concurrent fibers never lose one. Ratio budgets count in ten
 * slices of `ttl / 10`, so the window slides in steps of a tenth of `ttl`. Bad options raise a `RangeError` when
 * `makeMemory` is called.
 *
 * **Gotchas**
 *
 * Keys are never forgotten: use one key per downstream, never per request. A budget in memory bounds one process;
 * a fleet of N processes sends up to N times as many retries.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { RetryBudget } from "effect-resilience"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* RetryBudget.makeMemory({ algorithm: "token-bucket", maxTokens: 10 })
 *   return yield* store.acquire("search", 0) // true: 10 tokens > 5
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (options: Options): Effect.Effect<Store> => {
  const algorithm: unknown = options?.algorithm
  if (algorithm !== "token-bucket" && algorithm !== "ratio") {
    throw rangeError("RetryBudget.makeMemory", "algorithm", `"token-bucket" or "ratio"`, algorithm)
  }
  knownOptions(
    "RetryBudget.makeMemory",
    options,
    algorithm === "token-bucket"
      ? ["algorithm", "maxTokens", "tokenRatio", "name"]
      : ["algorithm", "percent", "minPerSecond", "ttl", "name"]
  )
  const make = options.algorithm === "token-bucket" ? tokenBucket(options) : ratio(options)
  return Effect.sync(make)
}

/**
 * A layer of the {@link RetryBudget} service backed by {@link makeMemory}.
 *
 * **Details**
 *
 * Defaults: token bucket `maxTokens` 100, `tokenRatio` 0.1; ratio `percent` 0.2, `minPerSecond` 10, `ttl` 10 s
 * (Finagle's defaults). Bad options raise a `RangeError` at once, when `layerMemory` is called. Each build of the
 * layer holds budgets of its own: provide it once, high in the application, so every call shares it.
 *
 * **Example**
 *
 * ```ts
 * import { RetryBudget } from "effect-resilience"
 *
 * const Budget = RetryBudget.layerMemory({ algorithm: "token-bucket", maxTokens: 100, tokenRatio: 0.1 })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (options: Options): Layer.Layer<RetryBudget> =>
  Layer.effect(RetryBudget, makeMemory(options))

// ---------------------------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------------------------

const decisions = family((attributes) =>
  Metric.counter("resilience_budget_decisions_total", {
    description: "Retries asked of a retry budget, by outcome (granted or denied)",
    incremental: true,
    attributes
  })
)

const recorder = (name: string | undefined) => {
  if (name === undefined) return (_key: string, _granted: boolean) => Effect.void
  const granted = decisions({ policy: name, outcome: "granted" })
  const denied = decisions({ policy: name, outcome: "denied" })
  return (_key: string, ok: boolean) => Metric.update(ok ? granted : denied, 1)
}

const validateName = (fn: string, name: string | undefined): string | undefined => {
  if (name !== undefined && (typeof name !== "string" || name.length === 0)) {
    throw rangeError(fn, "name", "a non-empty string", name)
  }
  return name
}

const tokenBucket = (options: TokenBucketOptions): () => Store => {
  const fn = "RetryBudget.makeMemory"
  const maxTokens = options.maxTokens ?? 100
  if (typeof maxTokens !== "number" || !(maxTokens > 0 && maxTokens <= 1000)) {
    throw rangeError(fn, "maxTokens", "a number in (0, 1000]", maxTokens)
  }
  const tokenRatio = options.tokenRatio ?? 0.1
  if (typeof tokenRatio !== "number" || !(tokenRatio > 0 && tokenRatio <= 1)) {
    throw rangeError(fn, "tokenRatio", "a number in (0, 1]", tokenRatio)
  }
  const record = recorder(validateName(fn, options.name))
  return () => {
    const tokens = new Map<string, number>()
    const get = (key: string) => tokens.get(key) ?? maxTokens
    return {
      call: () => Effect.void,
      failure: (key) => Effect.sync(() => void tokens.set(key, Math.max(0, get(key) - 1))),
      success: (key) => Effect.sync(() => void tokens.set(key, Math.min(maxTokens, get(key) + tokenRatio))),
      acquire: (key) =>
        Effect.suspend(() => {
          const granted = get(key) > maxTokens / 2
          return Effect.as(record(key, granted), granted)
        }),
      state: (key) => Effect.sync(() => ({ algorithm: "token-bucket", tokens: get(key), maxTokens }))
    }
  }
}

const SLICES = 10

interface Window {
  readonly epochs: Array<number>
  readonly calls: Array<number>
  readonly retries: Array<number>
}

const ratio = (options: RatioOptions): () => Store => {
  const fn = "RetryBudget.makeMemory"
  const percent = numberInRange(fn, "percent", options.percent ?? 0.2, 0, 1)
  const minPerSecond = numberInRange(fn, "minPerSecond", options.minPerSecond ?? 10, 0, Infinity)
  const ttl = options.ttl === undefined ? 10_000 : durationMillis(fn, "ttl", options.ttl)
  if (ttl < 1000 || ttl > 3_600_000) throw rangeError(fn, "ttl", "a duration between 1 second and 1 hour", options.ttl)
  const slice = ttl / SLICES
  const floor = minPerSecond * ttl / 1000
  const record = recorder(validateName(fn, options.name))

  return () => {
    const windows = new Map<string, Window>()
    // Finds the key's slice for `now`, clearing slices that have left the window.
    const slot = (key: string, now: number): { window: Window; index: number } => {
      let window = windows.get(key)
      if (window === undefined) {
        window = {
          epochs: new Array(SLICES).fill(-1),
          calls: new Array(SLICES).fill(0),
          retries: new Array(SLICES).fill(0)
        }
        windows.set(key, window)
      }
      const epoch = Math.floor(now / slice)
      const index = ((epoch % SLICES) + SLICES) % SLICES
      if (window.epochs[index] !== epoch) {
        window.epochs[index] = epoch
        window.calls[index] = 0
        window.retries[index] = 0
      }
      return { window, index }
    }
    const totals = (key: string, now: number) => {
      const { window } = slot(key, now)
      const oldest = Math.floor(now / slice) - SLICES + 1
      let calls = 0
      let retries = 0
      for (let i = 0; i < SLICES; i++) {
        if (window.epochs[i]! >= oldest) {
          calls += window.calls[i]!
          retries += window.retries[i]!
        }
      }
      return { calls, retries, allowed: floor + percent * calls }
    }
    return {
      call: (key, now) =>
        Effect.sync(() => {
          const { index, window } = slot(key, now)
          window.calls[index]!++
        }),
      failure: () => Effect.void,
      success: () => Effect.void,
      acquire: (key, now) =>
        Effect.suspend(() => {
          const { allowed, retries } = totals(key, now)
          const granted = retries + 1 <= allowed
          if (granted) {
            const { index, window } = slot(key, now)
            window.retries[index]!++
          }
          return Effect.as(record(key, granted), granted)
        }),
      state: (key, now) => Effect.sync(() => ({ algorithm: "ratio", ...totals(key, now) }))
    }
  }
}
