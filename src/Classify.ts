/**
 * Classification of failures: which errors are worth retrying, and what a server said about when to retry.
 *
 * Every predicate here takes `unknown`, so it fits any error type: pass it to `Policy.retryWhile`, to
 * `Effect.retry({ while })`, or combine several with {@link any}, {@link all} and {@link not}. Values that come from
 * a server (statuses, headers) are data: a malformed one makes a predicate answer `false` or a parser answer
 * `Option.none()`, never throw. Only a broken call, such as `tags()` with no tag, raises a `RangeError`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Headers from "effect/http/Headers"
import * as HttpClientError from "effect/http/HttpClientError"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Rejection from "./internal/rejection.ts"
import { rangeError } from "./internal/validate.ts"

/**
 * HTTP statuses that ask the client to try again later: 408, 425, 429, 500, 502, 503 and 504.
 *
 * **Details**
 *
 * 408 Request Timeout, 425 Too Early, 429 Too Many Requests, 500 Internal Server Error, 502 Bad Gateway,
 * 503 Service Unavailable and 504 Gateway Timeout. 501 Not Implemented and every other 4xx are absent: the same
 * request will fail the same way. Effect's `HttpClient.retryTransient` uses the same list without 425.
 *
 * **Example**
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * Classify.transientStatuses.includes(503) // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const transientStatuses: ReadonlyArray<number> = Object.freeze([408, 425, 429, 500, 502, 503, 504])

/**
 * Error codes of Node.js and undici that {@link isTransientNetworkError} treats as transient.
 *
 * **Details**
 *
 * Socket-level failures: `ECONNRESET`, `ECONNREFUSED`, `ECONNABORTED`, `ETIMEDOUT`, `EPIPE`, `ENETUNREACH`,
 * `ENETDOWN`, `EHOSTUNREACH`, `EHOSTDOWN`, and `EAI_AGAIN` (a DNS lookup that may succeed later). From undici, the
 * HTTP client behind Node's `fetch`: `UND_ERR_SOCKET` (the peer closed the socket), `UND_ERR_CONNECT_TIMEOUT`,
 * `UND_ERR_HEADERS_TIMEOUT` and `UND_ERR_BODY_TIMEOUT`.
 *
 * **Gotchas**
 *
 * Left out on purpose: `ENOTFOUND` (a name that does not resolve is more often a typo than an outage) and undici's
 * `UND_ERR_CLOSED` and `UND_ERR_DESTROYED` (the client object itself was closed, so every retry fails the same
 * way). Add a code with {@link hasErrorCode} and {@link any}.
 *
 * **Example**
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * Classify.transientNetworkErrorCodes.includes("ECONNRESET") // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const transientNetworkErrorCodes: ReadonlyArray<string> = Object.freeze([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT"
])

/**
 * Builds a refinement that is true for objects whose `_tag` is one of `tags`.
 *
 * **When to use**
 *
 * Errors made with `Data.TaggedError` or `Schema.TaggedErrorClass`: list the tags worth retrying.
 *
 * **Details**
 *
 * The refinement accepts `unknown`, so it works on any error type and narrows it: on a union of tagged errors, the
 * `true` branch keeps only the listed members. Only the object's own or inherited `_tag` property is read.
 *
 * **Gotchas**
 *
 * Raises a `RangeError` when called with no tag, or with a tag that is not a string: an empty list would silently
 * retry nothing.
 *
 * **Example**
 *
 * ```ts
 * import { Data } from "effect"
 * import { Classify } from "effect-resilience"
 *
 * class Unavailable extends Data.TaggedError("Unavailable") {}
 * class BadRequest extends Data.TaggedError("BadRequest") {}
 *
 * const isRetryable = Classify.tags("Unavailable", "Throttled")
 * isRetryable(new Unavailable()) // true
 * isRetryable(new BadRequest()) // false
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const tags = <const T extends ReadonlyArray<string>>(
  ...tags: T
): (error: unknown) => error is { readonly _tag: T[number] } => {
  if (tags.length === 0 || !tags.every(Predicate.isString)) {
    throw rangeError("Classify.tags", "tags", "one or more strings", tags)
  }
  const accepted = new Set<unknown>(tags)
  return (error): error is { readonly _tag: T[number] } =>
    Predicate.hasProperty(error, "_tag") && accepted.has(error._tag)
}

/**
 * Builds a predicate that is true when an error, or an error it wraps, carries one of the given `code`s.
 *
 * **When to use**
 *
 * Codes that {@link isTransientNetworkError} leaves out, or codes of a driver (database, message broker) that
 * sets `error.code`.
 *
 * **Details**
 *
 * The search starts at the error and follows `cause` properties and the entries of `errors` arrays (what Node puts
 * in the `AggregateError` of a connection attempt that tried several addresses). It is breadth-first, visits each
 * object once, and stops after 32 objects, so a cyclic or very deep chain costs a bounded amount of work. Any
 * object counts, not only `Error` instances; a property that throws when read counts as absent.
 *
 * **Gotchas**
 *
 * Raises a `RangeError` when called with no code, or with a code that is not a string.
 *
 * **Example**
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * const isDnsFailure = Classify.hasErrorCode("ENOTFOUND", "EAI_AGAIN")
 * const error = new TypeError("fetch failed", { cause: Object.assign(new Error("lookup"), { code: "ENOTFOUND" }) })
 * isDnsFailure(error) // true
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const hasErrorCode = (...codes: ReadonlyArray<string>): (error: unknown) => boolean => {
  if (codes.length === 0 || !codes.every(Predicate.isString)) {
    throw rangeError("Classify.hasErrorCode", "codes", "one or more strings", codes)
  }
  const accepted = new Set<unknown>(codes)
  return (error) => someLinkedError(error, (candidate) => accepted.has(readProperty(candidate, "code")))
}

const maxLinkedErrors = 32

const someLinkedError = (root: unknown, predicate: (candidate: object) => boolean): boolean => {
  const queue: Array<unknown> = [root]
  const visited = new Set<object>()
  for (let next = 0; next < queue.length && visited.size < maxLinkedErrors; next++) {
    const candidate = queue[next]
    if (!Predicate.isObjectKeyword(candidate) || visited.has(candidate)) continue
    visited.add(candidate)
    if (predicate(candidate)) return true
    queue.push(readProperty(candidate, "cause"))
    const errors = readProperty(candidate, "errors")
    if (Array.isArray(errors)) queue.push(...errors.slice(0, maxLinkedErrors))
  }
  return false
}

// A classifier must answer, not throw: a throwing getter or proxy trap reads as a missing property.
const readProperty = (object: object, key: string): unknown => {
  try {
    return (object as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

/**
 * True for an HTTP status that asks the client to try again later (see {@link transientStatuses}).
 *
 * **Details**
 *
 * Statuses come from servers, so an invalid one (not an integer, outside 100 to 599) is data rather than a
 * programming error: it is simply not transient.
 *
 * **Example**
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * Classify.isTransientStatus(503) // true
 * Classify.isTransientStatus(501) // false
 * Classify.isTransientStatus(404) // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransientStatus = (status: number): boolean => transientStatusSet.has(status)

const transientStatusSet: ReadonlySet<number> = new Set(transientStatuses)

/**
 * True when an error, or an error it wraps, carries a transient network code (see
 * {@link transientNetworkErrorCodes}).
 *
 * **When to use**
 *
 * Errors from `node:net`, `node:http`, `fetch` or a driver built on them, reached through `Effect.tryPromise` or a
 * typed wrapper. Node's `fetch` fails with `TypeError: fetch failed` and puts the socket error in `cause`; a
 * connection attempt to several addresses fails with an `AggregateError` whose `errors` hold one error per address.
 * Both are found.
 *
 * **Details**
 *
 * The walk is the one of {@link hasErrorCode}: `cause` and `errors` links, breadth-first, at most 32 objects.
 *
 * **Example**
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
 * Classify.isTransientNetworkError(new TypeError("fetch failed", { cause: refused })) // true
 * Classify.isTransientNetworkError(new Error("bad input")) // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransientNetworkError: (error: unknown) => boolean = hasErrorCode(...transientNetworkErrorCodes)

type InputOf<P extends ReadonlyArray<Predicate.Predicate<never>>> = P extends
  ReadonlyArray<Predicate.Predicate<infer A>> ? A : never

type Guarded<P> = P extends (input: any) => input is infer B ? B : never

type GuardedAll<P extends ReadonlyArray<unknown>> = number extends P["length"] ? Guarded<P[number]>
  : P extends readonly [infer Head, ...infer Tail] ? Guarded<Head> & GuardedAll<Tail>
  : unknown

/**
 * True when at least one of the predicates is true: `Predicate.some` of Effect, taking its predicates as arguments.
 *
 * **Details**
 *
 * Evaluation stops at the first `true`. When every argument is a refinement, the result is a refinement to the
 * union of their types; with any plain predicate among them, it is a plain predicate. The input type is what every
 * predicate accepts (the intersection of their input types), so predicates on `unknown` combine with predicates on
 * a specific error type.
 *
 * **Gotchas**
 *
 * Raises a `RangeError` when called with no predicate: with none, nothing would ever be retried.
 *
 * **Example**
 *
 * ```ts
 * import { Classify, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: 5 }).pipe(
 *   Policy.retryWhile(Classify.any(Classify.isTransientHttpError, Classify.isTransientNetworkError))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export function any<const R extends ReadonlyArray<Predicate.Refinement<any, any>>>(
  ...refinements: R
): (input: InputOf<R>) => input is InputOf<R> & Guarded<R[number]>
export function any<const P extends ReadonlyArray<Predicate.Predicate<never>>>(
  ...predicates: P
): Predicate.Predicate<InputOf<P>>
export function any(...predicates: ReadonlyArray<Predicate.Predicate<unknown>>): Predicate.Predicate<unknown> {
  validatePredicates("Classify.any", predicates)
  return Predicate.some(predicates)
}

/**
 * True when every predicate is true: `Predicate.every` of Effect, taking its predicates as arguments.
 *
 * **Details**
 *
 * Evaluation stops at the first `false`. When every argument is a refinement, the result is a refinement to the
 * intersection of their types; with any plain predicate among them, it is a plain predicate (a `false` from a plain
 * predicate says nothing about the type). The input type is the intersection of the input types.
 *
 * **Gotchas**
 *
 * Raises a `RangeError` when called with no predicate: with none, every failure would be retried.
 *
 * **Example**
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * const isRetryableUnavailable = Classify.all(
 *   Classify.tags("Unavailable"),
 *   (error: { readonly _tag: string; readonly retryable: boolean }) => error.retryable
 * )
 * isRetryableUnavailable({ _tag: "Unavailable", retryable: true }) // true
 * isRetryableUnavailable({ _tag: "Unavailable", retryable: false }) // false
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export function all<const R extends ReadonlyArray<Predicate.Refinement<any, any>>>(
  ...refinements: R
): (input: InputOf<R>) => input is InputOf<R> & GuardedAll<R>
export function all<const P extends ReadonlyArray<Predicate.Predicate<never>>>(
  ...predicates: P
): Predicate.Predicate<InputOf<P>>
export function all(...predicates: ReadonlyArray<Predicate.Predicate<unknown>>): Predicate.Predicate<unknown> {
  validatePredicates("Classify.all", predicates)
  return Predicate.every(predicates)
}

const validatePredicates = (fn: string, predicates: ReadonlyArray<unknown>): void => {
  if (predicates.length === 0 || !predicates.every(Predicate.isFunction)) {
    throw rangeError(fn, "predicates", "one or more functions", predicates)
  }
}

/**
 * True when the predicate is false: Effect's `Predicate.not`, here so that classifiers compose from one module.
 *
 * **Details**
 *
 * The result is a plain predicate even for a refinement: TypeScript has no negated types, so "not a
 * `{ _tag: "NotFound" }`" cannot narrow an `unknown` error.
 *
 * **Example**
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * const isRetryable = Classify.not(Classify.tags("BadRequest", "NotFound"))
 * isRetryable({ _tag: "Unavailable" }) // true
 * isRetryable({ _tag: "NotFound" }) // false
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const not: <A>(predicate: Predicate.Predicate<A>) => Predicate.Predicate<A> = Predicate.not

/**
 * Parses an HTTP `Retry-After` value (RFC 9110 section 10.2.3) into the time to wait from `now`.
 *
 * **When to use**
 *
 * Reading the header yourself, from a client other than Effect's `HttpClient`; with `HttpClient`, use
 * {@link retryAfterHint}.
 *
 * **Details**
 *
 * The value is either a whole number of seconds (digits only) or an HTTP-date in one of the three forms of
 * RFC 9110 section 5.6.7: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
 * (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime (`Sun Nov  6 08:49:37 1994`). Spaces and tabs around the value
 * are ignored. A date in the past gives `Duration.zero`; a date in the future gives the difference from `now`.
 *
 * Dates are matched exactly as the RFC writes them: names are case-sensitive, fields have their fixed widths,
 * the calendar date must exist (no 30 February, no hour 24), and second 60 (a leap second) reads as the next
 * second. The day name is checked for form but not against the date, as most HTTP implementations do. The
 * two-digit year of the RFC 850 form is the year with those digits within the hundred years that end 50 years
 * after the year of `now`: never more than 50 years in the future, as RFC 9110 requires (Effect's own
 * `Headers.parseRetryAfter` uses a fixed pivot instead). In 2024, `74` is 2074 and `75` is 1975.
 *
 * Anything else gives `Option.none()`: empty or missing values, signs (`-2`, `+2`), fractions (`1.5`), exponents,
 * unknown date forms. A server's header is data, so a bad one never throws.
 *
 * **Gotchas**
 *
 * Very large numbers are kept exactly (as a finite `Duration` in nanoseconds when they exceed what milliseconds
 * hold exactly), never capped: a server can ask for hours or years. Bound what you obey, for example with the
 * `max` of `Policy.retryAfter`.
 *
 * Raises a `RangeError` when `now` is not a valid instant: a number that is not finite or outside the range of
 * `Date` (plus or minus 8.64e15 ms), or an invalid `Date`.
 *
 * **Example**
 *
 * ```ts
 * import { Duration, Option } from "effect"
 * import { Classify } from "effect-resilience"
 *
 * const now = Date.UTC(1994, 10, 6, 8, 49, 30)
 * Classify.parseRetryAfter("120", now) // Option.some(Duration.seconds(120))
 * Classify.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now) // Option.some(Duration.seconds(7))
 * Classify.parseRetryAfter("1.5", now) // Option.none()
 * Option.map(Classify.parseRetryAfter("2", now), Duration.toMillis) // Option.some(2000)
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRetryAfter = (
  value: string | null | undefined,
  now: number | Date
): Option.Option<Duration.Duration> => {
  const nowMillis = validInstant(
    "Classify.parseRetryAfter",
    "now",
    now,
    "a valid Date or finite epoch milliseconds within ±8.64e15"
  )
  if (typeof value !== "string") return Option.none()
  const trimmed = trimSpacesAndTabs(value)
  if (wholeSeconds.test(trimmed)) return Option.some(secondsDuration(trimmed))
  const dateMillis = parseHttpDate(trimmed, new Date(nowMillis).getUTCFullYear())
  if (dateMillis === undefined) return Option.none()
  return Option.some(dateMillis > nowMillis ? Duration.millis(dateMillis - nowMillis) : Duration.zero)
}

const maxDateMillis = 8.64e15

const validInstant = (fn: string, option: string, instant: number | Date, allowed: string): number => {
  const millis = typeof instant === "number" ? instant : instant instanceof Date ? instant.getTime() : NaN
  if (!(Math.abs(millis) <= maxDateMillis)) {
    throw rangeError(fn, option, allowed, instant instanceof Date ? String(instant) : instant)
  }
  return millis
}

// A loop rather than a regular expression: trailing-space patterns take quadratic time on hostile header values.
const trimSpacesAndTabs = (value: string): string => {
  let start = 0
  let end = value.length
  while (start < end && isSpaceOrTab(value.charCodeAt(start))) start++
  while (end > start && isSpaceOrTab(value.charCodeAt(end - 1))) end--
  return value.slice(start, end)
}

const isSpaceOrTab = (charCode: number): boolean => charCode === 32 || charCode === 9

const wholeSeconds = /^[0-9]+$/

// Milliseconds stay exact up to Number.MAX_SAFE_INTEGER; beyond that the seconds are counted in bigint nanoseconds.
const secondsDuration = (digits: string): Duration.Duration => {
  const seconds = Number(digits)
  return Number.isSafeInteger(seconds * 1000)
    ? Duration.seconds(seconds)
    : Duration.nanos(BigInt(digits) * 1_000_000_000n)
}

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const shortDay = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
const longDay = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
const month = `(?<month>${monthNames.join("|")})`
const time = "(?<hour>[0-9]{2}):(?<minute>[0-9]{2}):(?<second>[0-9]{2})"

const imfFixdate = new RegExp(`^${shortDay}, (?<day>[0-9]{2}) ${month} (?<year>[0-9]{4}) ${time} GMT$`)
const rfc850Date = new RegExp(`^${longDay}, (?<day>[0-9]{2})-${month}-(?<year>[0-9]{2}) ${time} GMT$`)
const asctimeDate = new RegExp(`^${shortDay} ${month} (?<day> [0-9]|[0-9]{2}) ${time} (?<year>[0-9]{4})$`)

const parseHttpDate = (input: string, currentYear: number): number | undefined => {
  const groups = (imfFixdate.exec(input) ?? rfc850Date.exec(input) ?? asctimeDate.exec(input))?.groups
  if (groups === undefined) return undefined
  const twoDigitYear = groups.year!.length === 2
  const year = twoDigitYear ? expandTwoDigitYear(Number(groups.year), currentYear) : Number(groups.year)
  return epochMillis(
    year,
    monthNames.indexOf(groups.month!),
    Number(groups.day),
    Number(groups.hour),
    Number(groups.minute),
    Number(groups.second)
  )
}

// RFC 9110 section 5.6.7: never more than 50 years in the future, otherwise the most recent such year.
const expandTwoDigitYear = (twoDigits: number, currentYear: number): number => {
  const year = currentYear - (currentYear % 100) + twoDigits
  if (year > currentYear + 50) return year - 100
  return year <= currentYear - 50 ? year + 100 : year
}

const epochMillis = (
  year: number,
  monthIndex: number,
  day: number,
  hour: number,
  minute: number,
  second: number
): number | undefined => {
  if (day < 1 || day > daysInMonth(year, monthIndex) || hour > 23 || minute > 59 || second > 60) return undefined
  // Date.UTC would turn the years 0 to 99 into 1900 to 1999.
  const date = new Date(0)
  date.setUTCFullYear(year, monthIndex, day)
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000
}

const daysInMonth = (year: number, monthIndex: number): number => {
  if (monthIndex !== 1) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][monthIndex]!
  const isLeapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return isLeapYear ? 29 : 28
}

/**
 * The HTTP status of the response an `HttpClientError` carries, or `undefined` when there is none.
 *
 * **Details**
 *
 * Errors with a response (`StatusCodeError`, `DecodeError`, `EmptyBodyError`) give its status. Errors raised
 * before a response (`TransportError`, `EncodeError`, `InvalidUrlError`) and anything that is not an
 * `HttpClientError` give `undefined`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient, HttpClientResponse } from "effect/http"
 * import { Classify } from "effect-resilience"
 *
 * const program = HttpClient.get("https://example.com").pipe(
 *   Effect.flatMap(HttpClientResponse.filterStatusOk),
 *   Effect.tapError((error) => Effect.log(`status ${Classify.statusOf(error) ?? "none"}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category http
 */
export const statusOf = (error: unknown): number | undefined =>
  HttpClientError.isHttpClientError(error) ? error.response?.status : undefined

/**
 * True for the failures of Effect's `HttpClient` that are worth retrying, and for `Cause.TimeoutError`.
 *
 * **When to use**
 *
 * Programs built on `HttpClient` (from `effect/http`), typically with `HttpClient.filterStatusOk` or
 * `HttpClientResponse.filterStatusOk` turning error statuses into failures.
 *
 * **Details**
 *
 * True for:
 * - an `HttpClientError` whose reason is a `TransportError`: no response arrived (connection refused or reset,
 *   DNS failure, socket closed mid-request, `HttpClient.timeout`);
 * - an `HttpClientError` carrying a response whose status is transient (see {@link transientStatuses}), whatever
 *   the reason: a `StatusCodeError` from `filterStatusOk`, but also a `DecodeError` when a 503 page could not be
 *   decoded, or when `HttpApiClient` met an undeclared 503;
 * - an `HttpClientError` carrying a response and caused by a transient network error (see
 *   {@link isTransientNetworkError}): reading the body of a 200 fails with a `DecodeError` when the connection
 *   drops half-way;
 * - a `Cause.TimeoutError`, the failure of `Effect.timeout`.
 *
 * False for `EncodeError` and `InvalidUrlError` (the request itself is wrong), for responses with any other status
 * whose body was read or rejected without a network failure (a `DecodeError` on a malformed 200, a 400, a 501), and
 * for anything else. Every `TransportError` counts, as in Effect's `HttpClient.retryTransient`, because runtimes
 * describe connection failures differently (Node with error codes, browsers with a bare `TypeError`).
 *
 * **Gotchas**
 *
 * A `TransportError` also reports a request body stream that failed, which a retry may not cure. For a stricter
 * rule, require a transient network code when there is no response:
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * const strict = (error: unknown): boolean => {
 *   const status = Classify.statusOf(error)
 *   return (status !== undefined && Classify.isTransientStatus(status)) || Classify.isTransientNetworkError(error)
 * }
 * ```
 *
 * Retrying a request that is not idempotent (a `POST` that charges a card) can repeat its effect: classify by
 * method or idempotency key as well.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { FetchHttpClient, HttpClient, HttpClientResponse } from "effect/http"
 * import { Classify, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: 4 }).pipe(
 *   Policy.retryWhile(Classify.isTransientHttpError),
 *   Policy.retryAfter(Classify.retryAfterHint, { max: "1 minute" })
 * )
 *
 * const program = HttpClient.get("https://example.com/items").pipe(
 *   Effect.flatMap(HttpClientResponse.filterStatusOk),
 *   Effect.retry(policy),
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category http
 */
export const isTransientHttpError = (error: unknown): boolean => {
  if (Cause.isTimeoutError(error)) return true
  if (!HttpClientError.isHttpClientError(error)) return false
  const reason = error.reason
  if (!("response" in reason)) return reason._tag === "TransportError"
  return isTransientStatus(reason.response.status) || isTransientNetworkError(reason)
}

/**
 * The server's `Retry-After` hint on an `HttpClientError`, as a duration from `now`, or `undefined`.
 *
 * **When to use**
 *
 * As the hint of `Policy.retryAfter`, which calls it with each failure and the current time from Effect's `Clock`
 * (so it follows `TestClock` in tests).
 *
 * **Details**
 *
 * Reads the `retry-after` header of the response the error carries and parses it with {@link parseRetryAfter};
 * `now` is in epoch milliseconds. `undefined` when the error is not an `HttpClientError`, carries no response, has
 * no such header, or the header does not parse. The status is not checked: whether to retry at all is the job of
 * a classifier such as {@link isTransientHttpError}.
 *
 * **Gotchas**
 *
 * The hint is not capped; pass a `max` to `Policy.retryAfter`. Raises a `RangeError` when `now` is not a finite
 * number within the range of `Date`, even when the error carries no hint.
 *
 * **Example**
 *
 * ```ts
 * import { Classify, Policy } from "effect-resilience"
 *
 * const policy = Policy.exponential({ maxRetries: 4 }).pipe(
 *   Policy.retryWhile(Classify.isTransientHttpError),
 *   Policy.retryAfter(Classify.retryAfterHint, { max: "30 seconds", onTooLong: "clamp" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category http
 */
export const retryAfterHint = (error: unknown, now: number): Duration.Duration | undefined => {
  validInstant("Classify.retryAfterHint", "now", now, "finite epoch milliseconds within ±8.64e15")
  const response = HttpClientError.isHttpClientError(error) ? error.response : undefined
  const header = response === undefined ? Option.none() : Headers.get(response.headers, "retry-after")
  return Option.getOrUndefined(Option.flatMap(header, (value) => parseRetryAfter(value, now)))
}

/**
 * Whether an error is a rejection raised by this library rather than a failure of the downstream: a full bulkhead,
 * an exhausted retry budget, a timeout the pipeline raised, an open circuit.
 *
 * **When to use**
 *
 * Counting downstream health: budgets and breakers use it so that load shed by the client never reads as an
 * outage of the service.
 *
 * **Example**
 *
 * ```ts
 * import { Classify } from "effect-resilience"
 *
 * const isDownstreamFailure = Classify.not(Classify.isRejection)
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRejection: (error: unknown) => boolean = Rejection.isRejection
