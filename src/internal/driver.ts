import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Random from "effect/Random"
import * as Jitter from "../Jitter.ts"
import { type Curve, CurveState, firstValue, isRandom } from "./curve.ts"
import { circuitOpenFor } from "./rejection.ts"
import type { Observer } from "./telemetry.ts"
import { unboundedDurationMillis } from "./validate.ts"

/** Why a policy stopped retrying. @internal */
export type StopReason =
  | "max-retries"
  | "max-elapsed"
  | "not-retryable"
  | "retry-after-too-long"
  | "budget-exhausted"
  | "circuit-open"

/** What a policy decided for one failure. @internal */
export interface Step {
  readonly attempt: number
  readonly delay: Duration.Duration
  readonly elapsed: Duration.Duration
  readonly delayReason: "backoff" | "retry-after" | "circuit-open"
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
  /** Set by `Policy.withBudget`: the key of the retry budget each retry must be granted by. */
  readonly budget: string | undefined
  /** Added by `Policy.tap`: run on every decision, the stop included. */
  readonly taps: ReadonlyArray<(step: Step, error: any) => Effect.Effect<void>>
}

/**
 * The decisions of one run of a policy: given the time of a failure and the failure, the next step. `start` is the
 * start of the first attempt. After a stop, every later call repeats that stop. A class rather than closures, so a
 * caller sleeping between attempts holds one small object.
 *
 * @internal
 */
export class Driver {
  private readonly config: Config
  private readonly random: Random.Random
  private readonly curve: CurveState
  private readonly base: number
  private origin: number
  private attemptStart: number
  private retries = 0
  private previousDelay: number
  private stopped: Step | undefined = undefined

  constructor(config: Config, start: number, random: Random.Random) {
    this.config = config
    this.random = random
    this.curve = new CurveState(config.curve, config.max)
    this.base = Math.min(config.max, firstValue(config.curve))
    this.origin = start
    this.attemptStart = start
    this.previousDelay = this.base
  }

  decide(now: number, error: unknown): Step {
    if (this.stopped !== undefined) return this.stopped
    const config = this.config
    // The attempt that just failed ran from attemptStart to now; a long enough run starts the policy over.
    if (config.resetAfter !== undefined && this.retries > 0 && now - this.attemptStart >= config.resetAfter) {
      this.retries = 0
      this.origin = now
      this.previousDelay = this.base
      this.curve.reset()
    }
    // An open circuit is not the downstream failing: it bypasses the classifiers and is waited out, within the
    // policy's limits, so that no attempt is spent against a circuit that will reject it.
    const circuit = circuitOpenFor(error)
    if (circuit === undefined) {
      for (const classify of config.classifiers) {
        if (!classify(error)) return this.stop("not-retryable", now, 0, "backoff")
      }
    }
    if (this.retries >= config.maxRetries) return this.stop("max-retries", now, 0, "backoff")

    const value = this.curve.next(isRandom(config.curve) ? this.uniform : zero)
    const jittered = config.jitter._tag === "None"
      ? value
      : Jitter.apply(config.jitter, value, this.uniform(), this.base, this.previousDelay)
    let delay = Math.min(config.max, Math.max(config.min, jittered))
    this.previousDelay = delay
    let delayReason: Step["delayReason"] = "backoff"
    if (circuit !== undefined) {
      // Held open by hand, or longer than any delay the policy would choose: waiting is not within its limits.
      if (!Number.isFinite(circuit) || circuit > config.max) {
        return this.stop("circuit-open", now, circuit, "circuit-open")
      }
      if (config.maxElapsed !== undefined && now - this.origin + Math.max(delay, circuit) > config.maxElapsed) {
        return this.stop("circuit-open", now, Math.max(delay, circuit), circuit >= delay ? "circuit-open" : "backoff")
      }
      if (circuit >= delay) {
        delay = circuit
        delayReason = "circuit-open"
      }
    }
    for (const hint of circuit === undefined ? config.hints : []) {
      const raw = hint.read(error, now)
      if (raw === undefined) continue
      // A hint comes from a server: one too long to count in milliseconds is just longer than any max.
      let hinted = unboundedDurationMillis("Policy.retryAfter", "hint (the value the hint function returned)", raw)
      if (hinted > hint.max) {
        if (!hint.clamp) return this.stop("retry-after-too-long", now, hinted, "retry-after")
        hinted = hint.max
      }
      if (hinted >= delay) {
        delay = hinted
        delayReason = "retry-after"
      }
      break
    }
    if (config.maxElapsed !== undefined && now - this.origin + delay > config.maxElapsed) {
      return this.stop("max-elapsed", now, delay, delayReason)
    }

    this.retries++
    this.attemptStart = now + delay
    return {
      attempt: this.retries,
      delay: Duration.millis(delay),
      elapsed: Duration.millis(now - this.origin),
      delayReason,
      stop: undefined
    }
  }

  /** Turns a retry this driver had granted into a stop, when something outside it (a budget) refuses it. */
  refuse(step: Step, reason: StopReason): Step {
    this.retries--
    this.stopped = { ...step, stop: reason }
    return this.stopped
  }

  private readonly uniform = (): number => this.random.nextDoubleUnsafe()

  private stop(reason: StopReason, now: number, delay: number, delayReason: Step["delayReason"]): Step {
    this.stopped = {
      attempt: this.retries + 1,
      delay: Duration.millis(delay),
      elapsed: Duration.millis(now - this.origin),
      delayReason,
      stop: reason
    }
    return this.stopped
  }
}

const zero = () => 0
