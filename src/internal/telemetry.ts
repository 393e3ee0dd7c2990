import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Tracer from "effect/Tracer"
import type { Step, StopReason } from "./driver.ts"
import { family } from "./metric.ts"

// Seconds; spans the delays retry policies choose, from a few milliseconds to the minutes a server hint may ask for.
const delayBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

// Seconds; spans attempt durations from a cache hit to a slow upstream.
const durationBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** The metrics of retry policies. Names and labels are part of the public contract. @internal */
export const metrics = {
  retries: family((attributes) =>
    Metric.counter("resilience_retry_retries_total", {
      description: "Retries scheduled by a retry policy",
      incremental: true,
      attributes
    })
  ),
  stops: family((attributes) =>
    Metric.counter("resilience_retry_stops_total", {
      description: "Retry policies that stopped retrying, by stop reason",
      incremental: true,
      attributes
    })
  ),
  delay: family((attributes) =>
    Metric.histogram("resilience_retry_delay_seconds", {
      description: "Delays chosen by retry policies before a retry",
      boundaries: delayBoundaries,
      attributes
    })
  ),
  calls: family((attributes) =>
    Metric.counter("resilience_retry_calls_total", {
      description: "Calls made through Policy.retry, by outcome",
      incremental: true,
      attributes
    })
  ),
  attemptDuration: family((attributes) =>
    Metric.histogram("resilience_retry_attempt_duration_seconds", {
      description: "Duration of each attempt made through Policy.retry, by outcome",
      boundaries: durationBoundaries,
      attributes
    })
  )
} as const

/** The outcome of a whole call made through `Policy.retry`. @internal */
export type CallOutcome =
  | "success_without_retry"
  | "success_with_retry"
  | "failed_without_retry"
  | "failed_with_retry"
  | "interrupted"

/** The outcome of one attempt. @internal */
export type AttemptOutcome = "success" | "failure" | "interrupted"

/**
 * A named policy's instruments, with their labels bound once so that recording allocates no label sets.
 *
 * @internal
 */
export interface Observer {
  readonly name: string
  readonly decide: (step: Step, error: unknown, now: number) => Effect.Effect<void>
}

/**
 * The `error.type` of a failure: its `_tag`, else its constructor's name, else `unknown`. Never its message.
 *
 * @internal
 */
export const errorType = (error: unknown): string => {
  if (error === null || error === undefined) return "unknown"
  if (typeof error === "object" && "_tag" in error && typeof error._tag === "string") return error._tag
  const name: unknown = (error as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === "string" && name.length > 0 ? name : "unknown"
}

/** @internal */
export const makeObserver = (name: string): Observer => {
  const policy = { policy: name }
  const retries = metrics.retries(policy)
  const delay = metrics.delay(policy)
  const stops = new Map<StopReason, Metric.Metric<number, unknown>>()
  const stopsFor = (reason: StopReason) => {
    let metric = stops.get(reason)
    if (metric === undefined) {
      metric = metrics.stops({ policy: name, reason })
      stops.set(reason, metric)
    }
    return metric
  }

  const onRetry = (step: Step, error: unknown, now: number): Effect.Effect<void> => {
    const delayMillis = Duration.toMillis(step.delay)
    const attributes = { attempt: step.attempt, delay_ms: delayMillis, "error.type": errorType(error) }
    return Effect.all([
      Metric.update(retries, 1),
      Metric.update(delay, delayMillis / 1000),
      // Reading the parent span as an Option: `Effect.currentSpan` builds an error, stack and all, when there is none.
      Effect.map(Effect.serviceOption(Tracer.ParentSpan), (span) => {
        if (span._tag === "Some" && span.value._tag === "Span") {
          span.value.event("retry", BigInt(Math.floor(now)) * 1_000_000n, attributes)
        }
      }),
      Effect.logDebug("retry scheduled").pipe(
        Effect.annotateLogs({ policy: name, attempt: step.attempt, delay_ms: delayMillis, reason: step.delayReason })
      )
    ], { discard: true })
  }

  const onStop = (step: Step, reason: StopReason): Effect.Effect<void> =>
    Effect.all([
      Metric.update(stopsFor(reason), 1),
      Effect.logDebug("retry stopped").pipe(
        Effect.annotateLogs({ policy: name, attempt: step.attempt, reason })
      )
    ], { discard: true })

  return {
    name,
    decide: (step, error, now) => step.stop === undefined ? onRetry(step, error, now) : onStop(step, step.stop)
  }
}

/**
 * The instruments of `Policy.retry` for one policy name, with every label set bound once: binding labels on each
 * update makes Effect rebuild the series key every time.
 *
 * @internal
 */
export interface CallInstruments {
  readonly attempt: Record<AttemptOutcome, Metric.Metric<number, unknown>>
  readonly call: Record<CallOutcome, Metric.Metric<number, unknown>>
}

const instrumentsByName = new Map<string, CallInstruments>()

/** @internal */
export const callInstruments = (name: string): CallInstruments => {
  let instruments = instrumentsByName.get(name)
  if (instruments === undefined) {
    const attempt = (outcome: AttemptOutcome) => metrics.attemptDuration({ policy: name, outcome })
    const call = (outcome: CallOutcome) => metrics.calls({ policy: name, outcome })
    instruments = {
      attempt: { success: attempt("success"), failure: attempt("failure"), interrupted: attempt("interrupted") },
      call: {
        success_without_retry: call("success_without_retry"),
        success_with_retry: call("success_with_retry"),
        failed_without_retry: call("failed_without_retry"),
        failed_with_retry: call("failed_with_retry"),
        interrupted: call("interrupted")
      }
    }
    instrumentsByName.set(name, instruments)
  }
  return instruments
}

/** Wraps one attempt so that its duration and outcome are recorded. @internal */
export const timeAttempt = <A, E, R>(
  instruments: CallInstruments,
  attempt: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.clockWith((clock) => {
    const start = clock.currentTimeMillisUnsafe()
    return Effect.onExit(attempt, (exit) => {
      const outcome: AttemptOutcome = Exit.isSuccess(exit)
        ? "success"
        : Cause.hasInterruptsOnly(exit.cause)
        ? "interrupted"
        : "failure"
      return Metric.update(instruments.attempt[outcome], (clock.currentTimeMillisUnsafe() - start) / 1000)
    })
  })

/** Classifies the exit of a whole call. @internal */
export const callOutcome = (exit: Exit.Exit<unknown, unknown>, attempts: number): CallOutcome =>
  Exit.isSuccess(exit)
    ? attempts > 1 ? "success_with_retry" : "success_without_retry"
    : Cause.hasInterruptsOnly(exit.cause)
    ? "interrupted"
    : attempts > 1
    ? "failed_with_retry"
    : "failed_without_retry"
