/**
 * Timeouts with typed errors of their own: one for each attempt, one for a whole call with its retries.
 *
 * An attempt that takes longer than its timeout is interrupted and fails with {@link AttemptTimeout}, which a retry
 * policy around it retries like any transient failure. A call that takes longer than its total timeout is
 * interrupted wherever it is (running an attempt or sleeping between two) and fails with {@link TotalTimeout},
 * which is never retried. Both are rejections of this library's: budgets and breakers never count them as failures
 * of the downstream.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { RejectionTypeId } from "./internal/rejection.ts"
import { durationMillis, rangeError } from "./internal/validate.ts"

/**
 * One attempt ran longer than its timeout and was interrupted.
 *
 * @since 0.1.0
 * @category errors
 */
export class AttemptTimeout extends Schema.TaggedError<AttemptTimeout>()("AttemptTimeout", {
  /** The timeout that elapsed, in milliseconds. */
  timeout: Schema.Number
}) {
  /** Marks the error as a rejection of this library's, never a failure of the downstream. */
  get [RejectionTypeId](): typeof RejectionTypeId {
    return RejectionTypeId
  }

  override get message(): string {
    return `The attempt timed out after ${this.timeout} ms`
  }
}

/**
 * A whole call, retries included, ran longer than its timeout and was interrupted.
 *
 * @since 0.1.0
 * @category errors
 */
export class TotalTimeout extends Schema.TaggedError<TotalTimeout>()("TotalTimeout", {
  /** The timeout that elapsed, in milliseconds. */
  timeout: Schema.Number
}) {
  /** Marks the error as a rejection of this library's, never a failure of the downstream. */
  get [RejectionTypeId](): typeof RejectionTypeId {
    return RejectionTypeId
  }

  override get message(): string {
    return `The call timed out after ${this.timeout} ms, retries included`
  }
}

/**
 * Whether a value is an {@link AttemptTimeout}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isAttemptTimeout = (u: unknown): u is AttemptTimeout =>
  Predicate.isTagged(u, "AttemptTimeout") && Predicate.hasProperty(u, RejectionTypeId)

/**
 * Whether a value is a {@link TotalTimeout}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTotalTimeout = (u: unknown): u is TotalTimeout =>
  Predicate.isTagged(u, "TotalTimeout") && Predicate.hasProperty(u, RejectionTypeId)

/**
 * Bounds one attempt: past `timeout`, the effect is interrupted and fails with {@link AttemptTimeout}.
 *
 * **Details**
 *
 * Put it inside the retry, so that each attempt has its own clock. `timeout` must be a positive, finite duration.
 * The interrupted attempt's finalizers run before the error is raised.
 *
 * **Gotchas**
 *
 * Interruption cannot stop work outside the fiber: a request already sent may still reach the server. Make retried
 * operations idempotent.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy, Timeout } from "effect-resilience"
 *
 * declare const fetchQuote: Effect.Effect<number, Error>
 *
 * const program = fetchQuote.pipe(Timeout.attempt("2 seconds"), Effect.retry(Policy.exponential()))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const attempt: {
  (timeout: Duration.Input): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | AttemptTimeout, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.Input): Effect.Effect<A, E | AttemptTimeout, R>
} = eager("Timeout.attempt", (millis) => () => Effect.fail(new AttemptTimeout({ timeout: millis })))

/**
 * Bounds a whole call, retries and the sleeps between them included: past `timeout`, it is interrupted and fails
 * with {@link TotalTimeout}.
 *
 * **Details**
 *
 * Put it outside the retry. A total timeout is never retried. `timeout` must be a positive, finite duration.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Policy, Timeout } from "effect-resilience"
 *
 * declare const fetchQuote: Effect.Effect<number, Error>
 *
 * const program = fetchQuote.pipe(Effect.retry(Policy.exponential()), Timeout.total("10 seconds"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const total: {
  (timeout: Duration.Input): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | TotalTimeout, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.Input): Effect.Effect<A, E | TotalTimeout, R>
} = eager("Timeout.total", (millis) => () => Effect.fail(new TotalTimeout({ timeout: millis })))

// Like `dual`, but the timeout is validated when the combinator is called, even in its pipeable form, so that a
// pipeline built once reports a bad timeout at once rather than on its first call.
function eager(fn: string, onTimeout: (millis: number) => () => Effect.Effect<never, unknown>): any {
  const apply = (self: Effect.Effect<any, any, any>, millis: number, orElse: () => Effect.Effect<never, unknown>) =>
    Effect.timeoutOrElse(self, { duration: millis, orElse })
  return function(...args: [Effect.Effect<any, any, any>, Duration.Input] | [Duration.Input]) {
    if (args.length === 1) {
      const millis = positive(fn, args[0])
      const orElse = onTimeout(millis)
      return (self: Effect.Effect<any, any, any>) => apply(self, millis, orElse)
    }
    const millis = positive(fn, args[1])
    return apply(args[0], millis, onTimeout(millis))
  }
}

const positive = (fn: string, timeout: Duration.Input): number => {
  const millis = durationMillis(fn, "timeout", timeout)
  if (millis === 0) throw rangeError(fn, "timeout", "a positive, finite duration", timeout)
  return millis
}
