/**
 * Tables of overhead: each row's median time per call minus the median of the bare call it names as its baseline.
 */
import type { Competitor } from "./harness.ts"
import type { Row, Table } from "./model.ts"
import { formatNanos, formatSpread, type Summary } from "./stats.ts"

/** One competitor of an overhead table. */
export interface Entry {
  readonly competitor: Competitor
  readonly name: string
  /** The row whose median is subtracted from this one's; empty for a baseline. */
  readonly baseline: string
  readonly includes: string
}

/** An overhead table: per call, spread and the bare call's figure; the row figure is the difference. */
export const overheadTable = (
  id: string,
  caption: string,
  unit: string,
  list: ReadonlyArray<Entry>,
  stats: Map<string, Summary>
): Table => ({
  id,
  caption,
  unit,
  kind: "time",
  columns: ["per call (median)", "spread", "bare call"],
  rows: list.map((entry): Row => {
    const own = stats.get(entry.competitor.id)!
    const bare = stats.get(entry.baseline)
    return {
      id: entry.competitor.id,
      name: entry.name,
      figure: bare === undefined ? undefined : own.median - bare.median,
      missing: "(baseline)",
      cells: [formatNanos(own.median), formatSpread(own), bare === undefined ? "—" : formatNanos(bare.median)],
      includes: entry.includes
    }
  })
})
