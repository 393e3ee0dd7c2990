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
import { STATUS_CODES } from "node:http"
import * as Classify from "../src/Classify.ts"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import * as Format from "./format.ts"

/**
 * Exponential backoff with full jitter; transient HTTP failures only; `Retry-After` obeyed up to 10 s. Named, so
 * that `--metrics` shows its series.
 */
export const policy = Policy.exponential<HttpClientError.HttpClientError>({
  base: "200 millis",
  max: "5 seconds",
  jitter: Jitter.full,
  maxRetries: 6,
  maxElapsed: "12 seconds"
}).pipe(
  Policy.retryWhile(Classify.isTransientHttpError),
  Policy.retryAfter(Classify.retryAfterHint, { max: "10 seconds" }),
  Policy.observed("demo.get")
)

/** The policy in words, for the demo's header, read back from the policy itself. */
export const policyDescription = (): ReadonlyArray<string> => {
  const { base, max, maxElapsed, maxRetries, retryAfter } = Policy.describe(policy)
  return [
    `exponential backoff from ${Format.duration(base)} with full jitter, each wait at most ${Format.duration(max)}, `
    + `at most ${maxRetries} retries within ${Format.duration(maxElapsed ?? Infinity)};`,
    `retries transient HTTP failures only; obeys Retry-After up to ${Format.duration(retryAfter[0]!.max)}`
  ]
}

const hintLimit = Policy.describe(policy).retryAfter[0]!.max

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
    let stop: Policy.StopReason | undefined
    const record = (outcome: string, step: Policy.Step | undefined) =>
      Effect.suspend(() => {
        const attempt: Attempt = { attempt: attempts.length + 1, outcome, step }
        attempts.push(attempt)
        stop = step?.stop
        return Console.log(Format.attempt(attempt, hintLimit))
      })

    // Policy.tap sees every decision with the failure behind it, the final stop included.
    const traced = Policy.tap(policy, (step, error) => record(describeFailure(error), step))
    const started = yield* Clock.currentTimeMillis

    yield* HttpClient.get(url).pipe(
      Effect.flatMap(HttpClientResponse.filterStatusOk),
      Effect.flatMap((response) => Effect.andThen(response.text, record(describeStatus(response.status), undefined))),
      Policy.retry(traced),
      Effect.ignore
    )
    const wallMillis = (yield* Clock.currentTimeMillis) - started
    return { attempts, stop, wallMillis }
  })

/** What a failure looked like from the client: a status with its `Retry-After`, or what happened to the socket. */
export const describeFailure = (error: HttpClientError.HttpClientError): string => {
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
