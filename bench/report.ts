/**
 * Renders bench/RESULTS.md from the measured cases.
 */
import { existsSync, writeFileSync } from "node:fs"
import type { Environment } from "./environment.ts"
import { type Case, type CaseResult, oursId, type PlannedCase, type Row, type Table } from "./model.ts"
import type { Profile, Share } from "./profile.ts"
import { formatBytes, formatNanos, formatRatio } from "./stats.ts"
import type { Verdict } from "./targets.ts"

/** Profiles of both sides of a missed target. */
export interface Profiled {
  readonly verdict: Verdict
  readonly ours: Profile
  readonly theirs: Profile
}

export interface Report {
  readonly date: Date
  /** One-minute load average when the run started and when it ended. */
  readonly load: readonly [number, number]
  /** The highest one-minute load average seen, sampled after each case. */
  readonly loadPeak: number
  readonly durationMillis: number
  readonly command: string
  readonly environment: Environment
  readonly cases: ReadonlyArray<readonly [Case, CaseResult]>
  readonly planned: ReadonlyArray<PlannedCase>
  readonly verdicts: ReadonlyArray<Verdict>
  readonly profiles: ReadonlyArray<Profiled>
  readonly method: ReadonlyArray<string>
}

export const writeReport = (path: URL, report: Report): void => writeFileSync(path, render(report))

const render = (report: Report): string =>
  [
    "# Benchmark results",
    "",
    `Written by \`${report.command}\` on ${report.date.toISOString()}, ` +
    `in ${(report.durationMillis / 1000).toFixed(0)} s. ` +
    "Rerun the command to refresh this file; do not edit it by hand.",
    "",
    ...environment(report),
    ...targets(report),
    ...report.profiles.flatMap(profiled),
    "## Method",
    "",
    ...report.method.flatMap((paragraph) => [paragraph, ""]),
    ...report.cases.flatMap(([benchCase, result], index) => section(index + 1, benchCase, result)),
    ...notMeasured(report.planned)
  ].join("\n")

const notMeasured = (planned: ReadonlyArray<PlannedCase>): Array<string> =>
  planned.length === 0 ? [] : [
    "## Not measured yet",
    "",
    "Nothing is measured for these cases yet:",
    "",
    ...planned.map((entry) => `- **${entry.title}** (\`${entry.id}\`): ${reason(entry)}`),
    ""
  ]

const reason = ({ subject, module }: PlannedCase): string =>
  existsSync(new URL(`../${module}`, import.meta.url))
    ? `\`${module}\` exists, but no case measures it yet.`
    : `not measured because the library has no ${subject} yet (no \`${module}\`).`

const environment = ({ environment: env, command, load, loadPeak }: Report): Array<string> => [
  "## Machine and versions",
  "",
  "| | |",
  "|---|---|",
  `| CPU | ${env.cpu} |`,
  `| Cores available | ${env.cores} |`,
  `| Memory | ${env.memory} |`,
  `| OS | ${env.os} |`,
  `| Node | ${env.node} (V8 ${env.v8}), \`${env.execPath}\` |`,
  ...env.packages.map(([name, version]) => `| ${name} | ${version} |`),
  `| Load average (1 min) | ${load[0].toFixed(2)} at the start, ${load[1].toFixed(2)} at the end, ` +
  `${loadPeak.toFixed(2)} at most (sampled after each case) |`,
  `| Source revision | ${env.revision}${env.changedSources.length === 0 ? "" : ", with uncommitted changes in src/"} |`,
  "",
  ...(env.changedSources.length === 0 ? [] : [
    "src/ differed from the revision during this run (the figures measure the working tree):",
    "",
    ...env.changedSources.map((line) => `- \`${line}\``),
    ""
  ]),
  `Command: \`${command}\` (the \`bench\` script: \`node bench/run.ts\`, run by the Node of the \`node\` dev ` +
  "dependency). It is not part of `npm test`.",
  "",
  // The run itself keeps about one process busy; the rest of the load average is other processes'.
  ...(loadPeak - 1 < env.cores / 2 ? [] : [
    `The load was high: the one-minute load average reached ${loadPeak.toFixed(2)} on ${env.cores} cores, so ` +
    "other processes took CPU time during the run. Absolute figures are higher and spreads wider than on an idle " +
    "machine; ratios within a table suffer less, since its competitors are interleaved.",
    ""
  ])
]

const targets = ({ verdicts }: Report): Array<string> => [
  "## Targets",
  "",
  "| Target | Ours | Theirs | Ours ÷ theirs | Met |",
  "|---|---:|---:|---:|---|",
  ...verdicts.map((verdict) => {
    const format = verdict.target.caseId === "scale" ? formatBytes : formatNanos
    const figure = (n: number | undefined) => n === undefined ? "—" : format(n)
    const close = verdict.ratio !== undefined && Math.abs(verdict.ratio / verdict.target.limit - 1) < 0.05
    const met = (verdict.met === undefined ? "not measured" : verdict.met ? "yes" : "**no**") +
      (close ? " (within 5 % of the bound: run-to-run noise can flip it)" : "")
    return `| ${verdict.target.description} | ${figure(verdict.ours)} | ${figure(verdict.theirs)} | ` +
      `${formatRatio(verdict.ratio)} | ${met} |`
  }),
  "",
  ...verdicts.flatMap((verdict) =>
    verdict.explanation === undefined ? [] : [`- Missed: ${verdict.target.description}. ${verdict.explanation}`]
  ),
  ...(verdicts.some((verdict) => verdict.explanation !== undefined) ? [""] : [])
]

const percent = (share: number | undefined): string => share === undefined ? "—" : `${(share * 100).toFixed(1)} %`

const profiled = ({ verdict, ours, theirs }: Profiled): Array<string> => {
  const { description, competitor } = verdict.target
  const files = [...new Set([...ours.byFile.slice(0, 8), ...theirs.byFile.slice(0, 8)].map((s) => s.label))]
  const shareOf = (shares: ReadonlyArray<Share>, label: string) => shares.find((s) => s.label === label)?.share
  return [
    `### Profile: ${description}`,
    "",
    `Self time by file while each side runs its workload alone (sampled every 50 µs for 1.5 s), ours against ` +
    `${competitor}:`,
    "",
    `| File | ours | ${competitor} |`,
    "|---|---:|---:|",
    ...files.map((file) =>
      `| ${file} | ${percent(shareOf(ours.byFile, file))} | ${percent(shareOf(theirs.byFile, file))} |`
    ),
    "",
    "Time in this library's functions, callees included (ours):",
    "",
    ...ours.library.slice(0, 8).map((share) => `- ${percent(share.share)} ${share.label}`),
    ""
  ]
}

const section = (number: number, benchCase: Case, result: CaseResult): Array<string> => [
  `## ${number}. ${benchCase.title}`,
  "",
  ...result.method.flatMap((paragraph) => [paragraph, ""]),
  ...result.tables.flatMap(table),
  ...(result.notes.length === 0 ? [] : [...result.notes.map((note) => `- ${note}`), ""])
]

const table = (table: Table): Array<string> => {
  const reference = table.reference ?? { id: oursId, heading: "÷ ours" }
  const ours = table.rows.find((row) => row.id === reference.id)?.figure
  const format = table.kind === "bytes" ? formatBytes : formatNanos
  const cell = (row: Row) => row.figure === undefined ? row.missing ?? "—" : format(row.figure)
  const ratio = (row: Row) => row.figure === undefined || ours === undefined ? "—" : formatRatio(row.figure / ours)
  return [
    `### ${table.caption}`,
    "",
    `| Competitor | ${table.unit} | ${reference.heading} | ${table.columns.join(" | ")} | Includes |`,
    `|---|---:|---:|${table.columns.map(() => "---|").join("")}---|`,
    ...table.rows.map((row) =>
      `| ${row.id === reference.id ? `**${row.name}**` : row.name} | ${cell(row)} | ${ratio(row)} | ` +
      `${row.cells.join(" | ")} | ${row.includes} |`
    ),
    ""
  ]
}
