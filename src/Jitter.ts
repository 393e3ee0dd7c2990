/**
 * Jitter kinds: how a policy spreads its delays so that many clients failing together do not retry together.
 *
 * A jitter is plain data; a policy applies it to each delay of its curve, after the curve value is computed and
 * before the result is clamped to the policy's `[min, max]`. Randomness comes from Effect's `Random` service, so
 * `Random.withSeed` makes every jittered delay reproducible.
 *
 * @since 0.1.0
 */
import { rangeError } from "./internal/validate.ts"

/**
 * A jitter kind. Build one with {@link none}, {@link full}, {@link equal}, {@link proportional} or
 * {@link decorrelated}.
 *
 * @since 0.1.0
 * @category models
 */
export type Jitter = None | Full | Equal | Proportional | Decorrelated

/**
 * No jitter: the delay is the curve value.
 *
 * @since 0.1.0
 * @category models
 */
export interface None {
  readonly _tag: "None"
}

/**
 * Full jitter: uniform in `[0, d]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Full {
  readonly _tag: "Full"
}

/**
 * Equal jitter: `d / 2` plus uniform in `[0, d / 2]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Equal {
  readonly _tag: "Equal"
}

/**
 * Proportional jitter: uniform in `[d · (1 - factor), d · (1 + factor)]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Proportional {
  readonly _tag: "Proportional"
  readonly factor: number
}

/**
 * Decorrelated jitter in the AWS form: `min(max, uniform(base, 3 · previous delay))`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decorrelated {
  readonly _tag: "Decorrelated"
}

/**
 * What a policy option accepts as jitter: a {@link Jitter}, or a plain number `f` meaning `proportional(f)`.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = Jitter | number

/**
 * No jitter: every delay is exactly the curve value.
 *
 * **When to use**
 *
 * Tests, single clients, and schedules whose curve is random already (`Policy.decorrelated`).
 *
 * **Gotchas**
 *
 * Many clients that fail at the same moment retry at the same moments too; prefer {@link full} for fleets.
 *
 * **Example**
 *
 * ```ts
 * import { Jitter, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ base: "100 millis", jitter: Jitter.none }) // 100, 200, 400 ms
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Jitter = { _tag: "None" }

/**
 * Full jitter: each delay is uniform in `[0, d]`, where `d` is the curve value (the AWS SDKs' default).
 *
 * **When to use**
 *
 * Many clients retrying against one dependency. In Brooker's published simulation (AWS Architecture Blog, 2015)
 * full jitter did the least total work of all the kinds measured.
 *
 * **Gotchas**
 *
 * A delay can be arbitrarily close to zero; set the policy's `min` when the dependency needs a floor.
 *
 * **Example**
 *
 * ```ts
 * import { Jitter, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ jitter: Jitter.full }) // the default of Policy.exponential
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const full: Jitter = { _tag: "Full" }

/**
 * Equal jitter: each delay is `d / 2` plus uniform in `[0, d / 2]`.
 *
 * **When to use**
 *
 * When a guaranteed half of the backoff matters more than total work; Brooker measured slightly more work than
 * full jitter and a longer completion time.
 *
 * **Example**
 *
 * ```ts
 * import { Jitter, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ jitter: Jitter.equal }) // retry 1 waits 50 to 100 ms
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const equal: Jitter = { _tag: "Equal" }

/**
 * Proportional jitter: each delay is uniform in `[d · (1 - factor), d · (1 + factor)]`.
 *
 * **When to use**
 *
 * To match peers that spread by a percentage: gRPC uses `0.2`, cenkalti/backoff defaults to `0.5`.
 * A plain number in a policy option (`jitter: 0.2`) means `proportional(0.2)`.
 *
 * **Details**
 *
 * `factor` must lie in `[0, 1]`; anything else raises a `RangeError`. The result is clamped to the policy's
 * `max` after jitter, so a jittered delay never exceeds it.
 *
 * **Example**
 *
 * ```ts
 * import { Jitter, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ jitter: Jitter.proportional(0.2) }) // retry 1 waits 80 to 120 ms
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const proportional = (factor: number): Jitter => ({
  _tag: "Proportional",
  factor: validateFactor("Jitter.proportional", "factor", factor)
})

/**
 * Decorrelated jitter, AWS form: `min(max, uniform(base, 3 · previous delay))`, starting from `previous = base`.
 *
 * **When to use**
 *
 * Contended resources; Brooker measured it finishing slightly sooner than full jitter.
 *
 * **Details**
 *
 * It replaces the curve value: only the policy's `base` (the first curve value) and its own previous delay count.
 * Server hints do not feed its state.
 *
 * **Gotchas**
 *
 * With a zero base every delay is zero. This is not the .NET Polly / cockatiel curve; that one is
 * `Policy.decorrelated`.
 *
 * **Example**
 *
 * ```ts
 * import { Jitter, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ base: "100 millis", max: "5 seconds", jitter: Jitter.decorrelated })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const decorrelated: Jitter = { _tag: "Decorrelated" }

/**
 * Turns an option value into a {@link Jitter}, validating it; `fn` and `option` name the caller in errors.
 *
 * **Example**
 *
 * ```ts
 * import { Jitter } from "effect-resilience"
 *
 * Jitter.fromInput(0.2, "myPolicy", "jitter") // Jitter.proportional(0.2)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromInput = (input: Input, fn: string, option: string): Jitter => {
  if (typeof input === "number") return { _tag: "Proportional", factor: validateFactor(fn, option, input) }
  if (isJitter(input)) {
    if (input._tag === "Proportional") validateFactor(fn, `${option}.factor`, input.factor)
    return input
  }
  throw rangeError(fn, option, "a Jitter or a number in [0, 1]", input)
}

/**
 * Whether a value is a {@link Jitter}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isJitter = (u: unknown): u is Jitter =>
  typeof u === "object" && u !== null && "_tag" in u &&
  (u._tag === "None" || u._tag === "Full" || u._tag === "Equal" || u._tag === "Proportional" ||
    u._tag === "Decorrelated")

/**
 * Applies a jitter to the curve value `d` (milliseconds) with a uniform sample `u` in `[0, 1)`.
 * `base` and `previous` serve decorrelated jitter. The caller clamps the result.
 *
 * @since 0.1.0
 * @category utils
 */
export const apply = (jitter: Jitter, d: number, u: number, base: number, previous: number): number => {
  switch (jitter._tag) {
    case "None":
      return d
    case "Full":
      return u * d
    case "Equal":
      return d / 2 + u * (d / 2)
    case "Proportional":
      // One multiplication of d by a factor in [0, 2]: no intermediate term can overflow to infinity and meet a zero.
      return d * (1 - jitter.factor + u * 2 * jitter.factor)
    case "Decorrelated": {
      const upper = Math.max(base, 3 * previous)
      return base + u * (upper - base)
    }
  }
}

const validateFactor = (fn: string, option: string, factor: number): number => {
  if (typeof factor !== "number" || !(factor >= 0 && factor <= 1)) {
    throw rangeError(fn, option, "a number in [0, 1]", factor)
  }
  return factor
}
