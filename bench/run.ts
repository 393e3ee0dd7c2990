/**
 * The benchmark suite: runs every case in turn, then writes bench/RESULTS.md.
 *
 * Usage: `npm run bench`. Not part of `npm test`: the figures depend on the machine and take minutes.
 */
import * as os from "node:os"
import { budget } from "./budget.ts"
import { buildPolicy } from "./build-policy.ts"
import { bulkhead } from "./bulkhead.ts"
import { environment } from "./environment.ts"
import { happyPath } from "./happy-path.ts"
import { type Case, type CaseResult, oursId, type PlannedCase } from "./model.ts"
import { profile } from "./profile.ts"
import { type Profiled, writeReport } from "./report.ts"
import { retryStep } from "./retry-step.ts"
import { scale } from "./scale.ts"
import { judge, targets, type Verdict } from "./targets.ts"
import { telemetry } from "./telemetry.ts"

// The cases, in report order. A new case is a module beside these exporting a `Case`; add it here.
const cases: ReadonlyArray<Case> = [happyPath, retryStep, buildPolicy, telemetry, bulkhead, budget, scale]

// Cases not measured yet, most because the library does not have their subject. The report lists them with the
// reason; a case module that measures one replaces its entry here and joins `cases`.
const planned: ReadonlyArray<PlannedCase> = []

const method = [
  "Timed cases use tinybench 6 as the sampling engine. All competitors of a table run in each round, in an order " +
  "rotated every round, after an interleaved warmup; samples of all rounds are pooled. Each sample is the mean of " +
  "a batch of calls sized to last a few hundred microseconds, so the timer's resolution does not show. Figures are " +
  "medians; spread is the median absolute deviation (MAD) and the 75th and 99th percentiles of the batch means.",
  "\"÷ ours\" is the competitor's figure divided by ours in the same table: above 1, the competitor is slower or " +
  "larger. A table that divides by another row names it in that column's heading (\"÷ no telemetry\"); the row " +
  "divided by is in bold. Other processes may share the two cores (see the load average): interleaving spreads " +
  "their effect over all competitors of a table, but absolute figures move between runs and ratios within about " +
  "10 % are noise.",
  "Where a target is missed, the runner profiles both sides of it with V8's sampling profiler and reports where " +
  "the time goes, by file and by function of this library."
]

// A missed target gets a CPU profile of both sides, where the case kept the code behind the rows.
const explain = async (verdict: Verdict, results: ReadonlyMap<string, CaseResult>): Promise<Profiled | undefined> => {
  const { caseId, tableId, competitor } = verdict.target
  const workloads = results.get(caseId)?.workloads
  const ours = workloads?.get(`${tableId}/${oursId}`)
  const theirs = workloads?.get(`${tableId}/${competitor}`)
  if (ours === undefined || theirs === undefined) return undefined
  return { verdict, ours: await profile(ours, 1_500), theirs: await profile(theirs, 1_500) }
}

const main = async (): Promise<void> => {
  const started = performance.now()
  const env = environment()
  const loadBefore = os.loadavg()[0]!
  let loadPeak = loadBefore
  const results = new Map<string, CaseResult>()
  const measured: Array<readonly [Case, CaseResult]> = []
  for (const benchCase of cases) {
    const caseStart = performance.now()
    console.log(`${benchCase.id}: running`)
    const result = await benchCase.run()
    results.set(benchCase.id, result)
    measured.push([benchCase, result])
    for (const table of result.tables) {
      for (const row of table.rows) console.log(`  ${table.id} ${row.id}: ${row.figure ?? row.missing}`)
    }
    loadPeak = Math.max(loadPeak, os.loadavg()[0]!)
    const load = os.loadavg()[0]!.toFixed(2)
    console.log(`${benchCase.id}: ${((performance.now() - caseStart) / 1000).toFixed(1)} s, load average ${load}`)
  }

  const verdicts = targets.map((target) => judge(target, results))
  const profiles: Array<Profiled> = []
  for (const verdict of verdicts) {
    console.log(`${verdict.met ? "met" : "MISSED"}: ${verdict.target.description} (${verdict.ratio?.toFixed(2)}x)`)
    const profiled = verdict.met === false ? await explain(verdict, results) : undefined
    if (profiled !== undefined) profiles.push(profiled)
  }
  const path = new URL("RESULTS.md", import.meta.url)
  const loadAfter = os.loadavg()[0]!
  writeReport(path, {
    date: new Date(),
    load: [loadBefore, loadAfter],
    loadPeak: Math.max(loadPeak, loadAfter),
    durationMillis: performance.now() - started,
    command: "npm run bench",
    environment: env,
    cases: measured,
    planned,
    verdicts,
    profiles,
    method
  })
  console.log(`wrote ${path.pathname}`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
