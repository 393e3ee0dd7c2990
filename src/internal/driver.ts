import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Jitter from "../Jitter.ts"
import { type Curve, firstValue, isRandom, makeState } from "./curve.ts"
import type { Observer } from "./telemetry.ts"
import { durationMillis } from "./validate.ts"

/** Why a policy stopped retrying. @internal */
export type StopReason = "max-retries" | "max-elapsed" | "not-retryable" | "retry-after-too-long"

/** What a policy decided for one failure. @internal */
export interface Step {
  readonly attempt: number
  readonly delay: Duration.Duration
  readonly elapsed: Duration.Duration
  readonly delayReason: "backoff" | "retry-after"
  readonly stop: StopReason | undefined
}

/** A server hint reader with its limit. @internal */
export interface Hint {
  readonly read: (error: any, now: number) => Duration.Input | undefined
  readonly max: number
  readonly clamp: boolean
}

/** Everything a policy is made of, in milliseconds. Combinators copy it with one field changed. @internal */
export interface Config {
  readonly curve: Curve
  readonly min: number
  readonly max: number
  readonly jitter: Jitter.Jitter
  readonly maxRetries: number
  readonly maxElapsed: number | undefined
  readonly resetAfter: number | undefined
  readonly classifiers: ReadonlyArray<(error: any) => boolean>
  readonly hints: ReadonlyArray<Hint>
  /** Set by `Policy.observed`: the policy's name and instruments. */
  readonly observer: Observer | undefined
  /** Added by `Policy.tap`: run on every decision, the stop included. */
  readonly taps: ReadonlyArray<(step: Step, error: any) => Effect.Effect<void>>
}

/**
 * The decision function of one run of a policy: given the time of a failure and the failure, the next step.
 * `start` is the start of the first attempt. After a stop, every later call repeats that stop.
 *
 * @internal
 */
export const makeDriver = (
  config: Config,
  start: number,
  uniform: () => number
): (now: number, error: unknown) => Step => {
  const curve = makeState(config.curve, config.max)
  const base = Math.min(config.max, firstValue(config.curve))
  const drawsRandom = isRandom(config.curve)
  const jitters = config.jitter._tag !== "None"
  let origin = start
  let retries = 0
  let attemptStart = start
  let previousDelay = base
  let stopped: Step | undefined

  const stop = (reason: StopReason, now: number, delay: number, delayReason: Step["delayReason"]): Step => {
    stopped = {
      attempt: retries + 1,
      delay: Duration.millis(delay),
      elapsed: Duration.millis(now - origin),
      delayReason,
      stop: reason
    }
    return stopped
  }

  return (now, error) => {
    if (stopped !== undefined) return stopped
    // The attempt that just failed ran from attemptStart to now; a long enough run starts the policy over.
    if (config.resetAfter !== undefined && retries > 0 && now - attemptStart >= config.resetAfter) {
      retries = 0
      origin = now
      previousDelay = base
      curve.reset()
    }
    for (const classify of config.classifiers) {
      if (!classify(error)) return stop("not-retryable", now, 0, "backoff")
    }
    if (retries >= config.maxRetries) return stop("max-retries", now, 0, "backoff")

    const value = curve.next(drawsRandom ? uniform : zero)
    const jittered = jitters ? Jitter.apply(config.jitter, value, uniform(), base, previousDelay) : value
    let delay = Math.min(config.max, Math.max(config.min, jittered))
    previousDelay = delay
    let delayReason: Step["delayReason"] = "backoff"
    for (const hint of config.hints) {
      const raw = hint.read(error, now)
      if (raw === undefined) continue
      let hinted = durationMillis("Policy.retryAfter", "hint (the value the hint function returned)", raw)
      if (hinted > hint.max) {
        if (!hint.clamp) return stop("retry-after-too-long", now, hinted, "retry-after")
        hinted = hint.max
      }
      if (hinted >= delay) {
        delay = hinted
        delayReason = "retry-after"
      }
      break
    }
    if (config.maxElapsed !== undefined && now - origin + delay > config.maxElapsed) {
      return stop("max-elapsed", now, delay, delayReason)
    }

    retries++
    attemptStart = now + delay
    return {
      attempt: retries,
      delay: Duration.millis(delay),
      elapsed: Duration.millis(now - origin),
      delayReason,
      stop: undefined
    }
  }
}

const zero = () => 0
