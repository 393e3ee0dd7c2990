/**
 * The shape every case hands to the report writer: tables of figures, one row per competitor.
 */
import type { Competitor } from "./harness.ts"

/** One competitor's line in a table. `figure` drives the ratio column; `undefined` when it could not be measured. */
export interface Row {
  readonly id: string
  readonly name: string
  readonly figure: number | undefined
  /** Shown in place of the figure when it is `undefined`. */
  readonly missing?: string
  /** Extra columns, in the order of `Table.columns`. */
  readonly cells: ReadonlyArray<string>
  /** What the figure includes, in a sentence. */
  readonly includes: string
}

/**
 * One table of a case. The figure column is headed by `unit`; the ratio column compares each row with "ours", or
 * with the row named by `reference` when the table gives one. Figures are nanoseconds when `kind` is `"time"`,
 * bytes when it is `"bytes"`.
 */
export interface Table {
  readonly id: string
  readonly caption: string
  readonly unit: string
  readonly kind: "time" | "bytes"
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<Row>
  /** The row every ratio divides by, and the heading of the ratio column. Defaults to "ours", headed "÷ ours". */
  readonly reference?: { readonly id: string; readonly heading: string }
}

/** What a case measured: how, the tables, and what a reader must know to read them. */
export interface CaseResult {
  readonly method: ReadonlyArray<string>
  readonly tables: ReadonlyArray<Table>
  readonly notes: ReadonlyArray<string>
  /** The code behind timed rows, keyed `table id/row id`, so that a row can be profiled after the fact. */
  readonly workloads: ReadonlyMap<string, Competitor>
}

/** A case the runner can run. */
export interface Case {
  readonly id: string
  readonly title: string
  readonly run: () => Promise<CaseResult>
}

/** A case not measured yet: listed in the report, not run. */
export interface PlannedCase {
  readonly id: string
  readonly title: string
  /** What the case measures, as in "the library has no <subject> yet". */
  readonly subject: string
  /** The source file that holds the subject once it exists, relative to the package root. */
  readonly module: string
}

/** The row "ours" is compared against in every ratio column. */
export const oursId = "ours"

/** Finds a row's figure, for targets and ratios. */
export const figureOf = (result: CaseResult, tableId: string, rowId: string): number | undefined =>
  result.tables.find((table) => table.id === tableId)?.rows.find((row) => row.id === rowId)?.figure
