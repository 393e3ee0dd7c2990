/**
 * effect-resilience: retry policies as typed Effect `Schedule`s, error classification and server hints.
 *
 * @since 0.1.0
 */
export * as Classify from "./Classify.ts"
export * as Jitter from "./Jitter.ts"
export * as Policy from "./Policy.ts"
