/**
 * The figures this library aims for, each a bound on the ratio of our figure to a competitor's.
 */
import { type CaseResult, figureOf, oursId } from "./model.ts"

export interface Target {
  readonly description: string
  readonly caseId: string
  readonly tableId: string
  readonly competitor: string
  /** The largest acceptable `ours / competitor`; a bound of 1 with `strict` means "below". */
  readonly limit: number
  readonly strict: boolean
}

export interface Verdict {
  readonly target: Target
  readonly ours: number | undefined
  readonly theirs: number | undefined
  readonly ratio: number | undefined
  /** `undefined` when a figure is missing. */
  readonly met: boolean | undefined
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
    strict: true
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
  return { target, ours, theirs, ratio, met }
}
