import * as Duration from "effect/Duration"

/**
 * Renders a received value for an error message: strings quoted, numbers as written, objects as JSON when possible.
 *
 * @internal
 */
export const show = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value)
  if (value === undefined) return "undefined"
  if (Duration.isDuration(value)) return `Duration(${Duration.format(value)})`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * Raises the project's standard `RangeError`: the function, the option, the allowed range and the received value.
 *
 * @internal
 */
export const rangeError = (fn: string, option: string, allowed: string, received: unknown): RangeError =>
  new RangeError(`${fn}: option "${option}" must be ${allowed}, received ${show(received)}`)

/**
 * Decodes a `Duration.Input` into finite, non-negative milliseconds, or throws a `RangeError`.
 *
 * @internal
 */
export const durationMillis = (fn: string, option: string, input: Duration.Input): number => {
  const allowed = "a finite, non-negative duration"
  if (typeof input === "number" && !Number.isFinite(input)) throw rangeError(fn, option, allowed, input)
  let decoded: Duration.Duration
  try {
    decoded = Duration.fromInputUnsafe(input)
  } catch {
    throw rangeError(fn, option, allowed, input)
  }
  const millis = Duration.toMillis(decoded)
  if (!Number.isFinite(millis) || millis < 0) throw rangeError(fn, option, allowed, input)
  return millis
}

/**
 * Like `durationMillis`, but `undefined` passes through as `fallback`.
 *
 * @internal
 */
export const optionalDurationMillis = <A>(
  fn: string,
  option: string,
  input: Duration.Input | undefined,
  fallback: A
): number | A => input === undefined ? fallback : durationMillis(fn, option, input)

/**
 * Validates a retry count: a non-negative integer, or `Infinity` when unlimited retries are asked for explicitly.
 *
 * @internal
 */
export const retryCount = (fn: string, option: string, value: number): number => {
  if (typeof value !== "number" || !(value === Infinity || (Number.isInteger(value) && value >= 0))) {
    throw rangeError(fn, option, "a non-negative integer, or Infinity for unlimited retries", value)
  }
  return value
}

/**
 * Validates a finite number within `[min, max]`.
 *
 * @internal
 */
export const numberInRange = (fn: string, option: string, value: number, min: number, max: number): number => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const allowed = max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`
    throw rangeError(fn, option, allowed, value)
  }
  return value
}
