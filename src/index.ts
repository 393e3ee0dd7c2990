/**
 * effect-resilience: retry policies as typed Effect `Schedule`s, error classification and server hints.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Classify, Jitter, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: 5, jitter: Jitter.full }).pipe(
 *   Policy.retryWhile(Classify.isTransientNetworkError)
 * )
 * const program = Effect.fail({ code: "ECONNRESET" }).pipe(Effect.retry(policy))
 * ```
 *
 * @since 0.1.0
 */
export * as Bulkhead from "./Bulkhead.ts"
export * as CircuitBreaker from "./CircuitBreaker.ts"
export * as Classify from "./Classify.ts"
export * as Hedge from "./Hedge.ts"
export * as Jitter from "./Jitter.ts"
export * as Policy from "./Policy.ts"
export * as Resilience from "./Resilience.ts"
export * as RetryBudget from "./RetryBudget.ts"
export * as Timeout from "./Timeout.ts"
