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
    // NaN and infinities print as themselves, not as JSON's null.
    const json = JSON.stringify(value, (_, v) => typeof v === "number" && !Number.isFinite(v) ? `<${v}>` : v)
    return json === undefined ? String(value) : json.replace(/"<(NaN|-?Infinity)>"/g, "$1")
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
  const millis = decodeMillis(fn, option, input, "a finite, non-negative duration")
  if (!Number.isFinite(millis)) throw rangeError(fn, option, "a finite, non-negative duration", input)
  return millis
}

/**
 * Like `durationMillis`, but an infinite duration (or one too long for milliseconds) decodes to `Infinity`: for
 * values that come from outside, such as server hints, which the caller then bounds.
 *
 * @internal
 */
export const unboundedDurationMillis = (fn: string, option: string, input: Duration.Input): number =>
  decodeMillis(fn, option, input, "a non-negative duration")

// Effect reads NaN and unknown fields of a duration object or tuple as zero; here they are errors.
const decodeMillis = (fn: string, option: string, input: Duration.Input, allowed: string): number => {
  if (typeof input === "number" && Number.isNaN(input)) throw rangeError(fn, option, allowed, input)
  if (Array.isArray(input) && !(input.length === 2 && input.every((part) => Number.isFinite(part)))) {
    throw rangeError(fn, option, allowed, input)
  }
  if (typeof input === "object" && input !== null && !Array.isArray(input) && !Duration.isDuration(input)) {
    const entries = Object.entries(input)
    const valid = entries.some(([, value]) => Number.isFinite(value)) &&
      entries.every(([key, value]) => durationFields.has(key) && (value === undefined || Number.isFinite(value)))
    if (!valid) throw rangeError(fn, option, allowed, input)
  }
  let decoded: Duration.Duration
  try {
    decoded = Duration.fromInputUnsafe(input)
  } catch {
    throw rangeError(fn, option, allowed, input)
  }
  const millis = Duration.toMillis(decoded)
  if (Number.isNaN(millis) || millis < 0) throw rangeError(fn, option, allowed, input)
  return millis
}

const durationFields = new Set([
  "weeks",
  "days",
  "hours",
  "minutes",
  "seconds",
  "milliseconds",
  "microseconds",
  "nanoseconds"
])

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

/**
 * Checks that options are an object (or absent) and name only known options: a misspelt option would otherwise be
 * ignored, and its default silently used.
 *
 * @internal
 */
export const knownOptions = <O>(fn: string, options: O, known: ReadonlyArray<string>): O => {
  if (options === undefined) return {} as O
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new RangeError(`${fn}: options must be an object, received ${show(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw rangeError(fn, key, `one of ${known.map((k) => `"${k}"`).join(", ")}`, key)
  }
  return options
}
