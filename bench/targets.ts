/**
 * The figures this library aims for, each a bound on the ratio of our figure to a competitor's.
 */
import { type CaseResult, figureOf, oursId } from "./model.ts"
import { formatNanos } from "./stats.ts"

export interface Target {
  readonly description: string
  readonly caseId: string
  readonly tableId: string
  readonly competitor: string
  /** The largest acceptable `ours / competitor`; a bound of 1 with `strict` means "below". */
  readonly limit: number
  readonly strict: boolean
  /** Why the target is missed when it is, from the figures of its table (by row id); stated beside the verdict. */
  readonly whenMissed?: (figure: (rowId: string) => number | undefined) => string
}

export interface Verdict {
  readonly target: Target
  readonly ours: number | undefined
  readonly theirs: number | undefined
  readonly ratio: number | undefined
  /** `undefined` when a figure is missing. */
  readonly met: boolean | undefined
  /** The target's explanation of a miss, when it is missed and has one. */
  readonly explanation: string | undefined
}

export const targets: ReadonlyArray<Target> = [
  {
    description: "Happy-path overhead at most 1.1x Effect's native retry (runSync)",
    caseId: "happy-path",
    tableId: "sync",
    competitor: "effect",
    limit: 1.1,
    strict: false
  },
  {
    description: "Cost per retry at most 1.25x Effect's native retry (runSync)",
    caseId: "retry-step",
    tableId: "sync",
    competitor: "effect",
    limit: 1.25,
    strict: false
  },
  {
    description: "Cost per retry below cockatiel's (every call awaited)",
    caseId: "retry-step",
    tableId: "promise",
    competitor: "cockatiel",
    limit: 1,
    strict: true
  },
  {
    description: "Cost per retry below p-retry's (every call awaited)",
    caseId: "retry-step",
    tableId: "promise",
    competitor: "p-retry",
    limit: 1,
    strict: true,
    whenMissed: (figure) => {
      const format = (rowId: string) => {
        const value = figure(rowId)
        return value === undefined ? "—" : formatNanos(value)
      }
      return "Expected with `Effect.runPromise`. Effect's clock turns a zero-delay sleep into a yield " +
        "(`Effect.yieldNow`), and a fiber run by `runPromise` resumes from a yield in a `setImmediate` callback, " +
        "so every retry waits for a turn of the event loop and resumes the fiber from Effect's scheduler. " +
        "p-retry skips its timer when the delay is 0 and goes on in the same chain of promise callbacks. " +
        "Effect's own `Effect.retry` with `Schedule.recurs` pays it too: " +
        `${format("effect")} per retry in the same table, against ${format(oursId)} for ours and ` +
        `${format("p-retry")} for p-retry. With \`Effect.runSync\`, where the yield is drained in place, the ` +
        "retry itself is what the 1.25x target compares."
    }
  },
  {
    description: "Heap per sleeping caller at most 1.2x Effect's native retry",
    caseId: "scale",
    tableId: "memory",
    competitor: "effect",
    limit: 1.2,
    strict: false
  }
]

export const judge = (target: Target, results: ReadonlyMap<string, CaseResult>): Verdict => {
  const result = results.get(target.caseId)
  const ours = result && figureOf(result, target.tableId, oursId)
  const theirs = result && figureOf(result, target.tableId, target.competitor)
  const ratio = ours === undefined || theirs === undefined ? undefined : ours / theirs
  const met = ratio === undefined ? undefined : target.strict ? ratio < target.limit : ratio <= target.limit
  const figure = (rowId: string) => result && figureOf(result, target.tableId, rowId)
  const explanation = met === false ? target.whenMissed?.(figure) : undefined
  return { target, ours, theirs, ratio, met, explanation }
}
