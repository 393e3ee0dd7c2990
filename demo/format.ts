/**
 * Plain-text formatting of the demo's lines. Columns have fixed widths because lines print as attempts happen.
 */
import * as Duration from "effect/Duration"
import type { Attempt } from "./client.ts"

// The longest outcome: "429 Too Many Requests (Retry-After: Thu, 01 Jan 2026 00:00:00 GMT)".
const outcomeWidth = 66
const delayWidth = 6

const attemptColumn = (label: string): string => `  ${label.padStart(2)}  `

/** Milliseconds below a second, seconds to one decimal below a minute, then whole minutes or hours. */
export const duration = (input: Duration.Input): string => {
  const millis = Duration.toMillis(Duration.fromInputUnsafe(input))
  if (millis === Infinity) return "no limit"
  if (millis < 1000) return `${Math.round(millis)} ms`
  if (millis < 60_000) return `${(millis / 1000).toFixed(1).replace(/\.0$/, "")} s`
  if (millis < 3_600_000) return `${Math.round(millis / 60_000)} min`
  return `${Math.round(millis / 3_600_000)} h`
}

/** Wall time with a precision of 10 ms, for totals. */
export const wallTime = (millis: number): string => `${(millis / 1000).toFixed(2)} s`

/** The column headings, aligned with the attempt lines. */
export const heading = `${attemptColumn("#")}${"what happened".padEnd(outcomeWidth)}  next`

/** One attempt: its number, what happened and, after a failure, the policy's decision. */
export const attempt = ({ attempt, outcome, step }: Attempt, hintLimit: Duration.Input): string => {
  if (step === undefined) return `${attemptColumn(String(attempt))}${outcome}`
  const decision = step.stop === undefined
    ? `wait ${duration(step.delay).padStart(delayWidth)}  ${step.delayReason === "backoff" ? "backoff" : "server hint"}`
    : step.stop === "retry-after-too-long"
    ? `stop  ${step.stop}: ${duration(step.delay)} > ${duration(hintLimit)}`
    : `stop  ${step.stop}`
  return `${attemptColumn(String(attempt))}${outcome.padEnd(outcomeWidth)}  ${decision}`
}
