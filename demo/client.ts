/**
 * The client side of the demo: one GET through Effect's `HttpClient`, retried by a policy of this library, with a
 * line printed for every attempt.
 */
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { STATUS_CODES } from "node:http"
import * as Classify from "../src/Classify.ts"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import * as Format from "./format.ts"

const backoff = {
  base: "200 millis",
  max: "5 seconds",
  jitter: Jitter.full,
  maxRetries: 6,
  maxElapsed: "12 seconds"
} as const

/** The longest server hint the policy obeys. */
export const hintLimit = "10 seconds"

/** Exponential backoff with full jitter; transient HTTP failures only; `Retry-After` obeyed up to `hintLimit`. */
export const policy = Policy.exponential(backoff).pipe(
  Policy.retryWhile(Classify.isTransientHttpError),
  Policy.retryAfter(Classify.retryAfterHint, { max: hintLimit })
)

/** The policy in words, for the demo's header. */
export const policyDescription = [
  `exponential backoff from ${Format.duration(backoff.base)} with full jitter, each wait at most `
  + `${Format.duration(backoff.max)}, at most ${backoff.maxRetries} retries within ${
    Format.duration(backoff.maxElapsed)
  };`,
  `retries transient HTTP failures only; obeys Retry-After up to ${Format.duration(hintLimit)}`
]

/** One attempt as the client saw it, with what the policy decided after a failure. */
export interface Attempt {
  readonly attempt: number
  readonly outcome: string
  readonly step: Policy.Step | undefined
}

/** How one call ended: `stop` is set when the policy gave up. */
export interface CallResult {
  readonly attempts: ReadonlyArray<Attempt>
  readonly stop: Policy.StopReason | undefined
  readonly wallMillis: number
}

/** GETs `url` until it answers 2xx or the policy stops, printing each attempt. */
export const call = (url: string): Effect.Effect<CallResult, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const attempts: Array<Attempt> = []
    const record = (outcome: string, step: Policy.Step | undefined) =>
      Effect.suspend(() => {
        const attempt: Attempt = { attempt: attempts.length + 1, outcome, step }
        attempts.push(attempt)
        return Console.log(Format.attempt(attempt, hintLimit))
      })

    // Schedule.tap sees every step that schedules a retry; the step that stops reaches retryOrElse instead.
    const observed = policy.pipe(Schedule.tap(({ input, output }) => record(describeFailure(input), output)))
    const started = yield* Clock.currentTimeMillis

    const stop = yield* HttpClient.get(url).pipe(
      Effect.flatMap(HttpClientResponse.filterStatusOk),
      Effect.flatMap((response) => Effect.andThen(response.text, record(describeStatus(response.status), undefined))),
      Effect.as(undefined),
      Effect.retryOrElse(observed, (error, step) => Effect.as(record(describeFailure(error), step), step.stop))
    )
    const wallMillis = (yield* Clock.currentTimeMillis) - started
    return { attempts, stop, wallMillis }
  })

/** What a failure looked like from the client: a status with its `Retry-After`, or what happened to the socket. */
export const describeFailure = (error: unknown): string => {
  if (!HttpClientError.isHttpClientError(error)) return "unexpected failure"
  const response = error.response
  if (response !== undefined) {
    const retryAfter = Headers.get(response.headers, "retry-after")
    const hint = Option.match(retryAfter, { onNone: () => "", onSome: (value) => ` (Retry-After: ${value})` })
    return `${describeStatus(response.status)}${hint}`
  }
  if (isConnectionReset(error)) return "connection reset"
  return error.reason._tag === "TransportError" ? "transport error" : error.reason._tag
}

const describeStatus = (status: number): string => `${status} ${STATUS_CODES[status] ?? ""}`.trimEnd()

const isConnectionReset = Classify.hasErrorCode("ECONNRESET")
