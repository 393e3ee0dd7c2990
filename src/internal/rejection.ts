import * as Predicate from "effect/Predicate"

/**
 * The mark every rejection raised by this library carries (bulkhead full, budget exhausted, timeouts we raise, an
 * open circuit), so that budgets and breakers never count them as failures of the downstream service.
 *
 * @internal
 */
export const RejectionTypeId = "~effect-resilience/Rejection"

/** @internal */
export const isRejection = (u: unknown): boolean => Predicate.hasProperty(u, RejectionTypeId)
