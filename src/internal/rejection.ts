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

/**
 * The mark of an open circuit's rejection. Its value is the number of milliseconds until the circuit may let a probe
 * through (`Infinity` while it is held open by hand), so that a retry policy can wait exactly that long or stop.
 *
 * @internal
 */
export const CircuitOpenTypeId = "~effect-resilience/CircuitOpen"

/** The milliseconds until an open circuit may admit a probe, or `undefined` when `u` is no such rejection. @internal */
export const circuitOpenFor = (u: unknown): number | undefined => {
  if (!Predicate.hasProperty(u, CircuitOpenTypeId)) return undefined
  const millis = u[CircuitOpenTypeId]
  return typeof millis === "number" && millis >= 0 ? millis : Infinity
}
