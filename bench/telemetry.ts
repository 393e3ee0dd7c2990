/**
 * Case: what telemetry costs. The same scripted workloads run through one retry policy with no telemetry, with the
 * schedule-level telemetry of `Policy.observed`, and inside the `Policy.retry` wrapper; the figure is the time per
 * call, and each row is compared with the policy that records nothing.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as References from "effect/References"
import * as Schedule from "effect/Schedule"
import * as Tracer from "effect/Tracer"
import * as Policy from "../src/Policy.ts"
import { isValue, operations } from "./fixtures.ts"
import { type Competitor, measure, type Plan } from "./harness.ts"
import type { Case, Row, Table } from "./model.ts"
import { formatNanos, formatRatio, formatSpread, type Summary } from "./stats.ts"

const failures = 3
const plan: Plan = { rounds: 30, roundMillis: 25, batchMicros: 300 }
const policyName = "bench"
const offId = "off"

interface Entry {
  readonly id: string
  readonly name: string
  readonly includes: string
  /** Whether the row can run an operation that fails: the bare operation cannot. */
  readonly retries: boolean
  readonly wrap: (operation: Effect.Effect<number, Error>) => Effect.Effect<number, Error>
}

const policy = Policy.constant({ delay: 0, maxRetries: failures })
const observed = policy.pipe(Policy.observed(policyName))

const entries: ReadonlyArray<Entry> = [
  {
    id: "bare",
    name: "bare: the operation, no retry",
    includes: "One fiber run of the operation.",
    retries: false,
    wrap: (operation) => operation
  },
  {
    id: "native",
    name: "Effect.retry + `Schedule.recurs(3)` (Effect's own, for reference)",
    includes: "Effect's retry loop with its native schedule; no telemetry.",
    retries: true,
    wrap: (operation) => Effect.retry(operation, Schedule.recurs(failures))
  },
  {
    id: offId,
    name: "no telemetry: `Effect.retry(op, policy)`",
    includes: "Our policy's driver and decisions; nothing recorded.",
    retries: true,
    wrap: (operation) => Effect.retry(operation, policy)
  },
  {
    id: "schedule",
    name: "schedule telemetry: `Effect.retry(op, policy.pipe(Policy.observed(\"bench\")))`",
    includes: "Per retry: the retries counter, the delay histogram, a look-up of the parent span as an `Option` " +
      "(there is none, and nothing is built for its absence) and a Debug log, filtered out at the default level " +
      "Info but annotated first. Nothing when no retry happens.",
    retries: true,
    wrap: (operation) => Effect.retry(operation, observed)
  },
  {
    id: "wrapper-unnamed",
    name: "wrapper, unobserved policy: `Policy.retry(op, policy)`",
    includes: "The wrapper alone, labelled `unnamed`: a span around the call, the attempt histogram per attempt, " +
      "the calls counter and two span attributes per call.",
    retries: true,
    wrap: (operation) => Policy.retry(operation, policy)
  },
  {
    id: "wrapper",
    name: "full wrapper: `Policy.retry(op, policy.pipe(Policy.observed(\"bench\")))`",
    includes: "Both of the above; each retry also adds a `retry` event to the wrapper's span.",
    retries: true,
    wrap: (operation) => Policy.retry(operation, observed)
  }
]

// Each row records into a registry of its own, provided through the runner's context, so no row's series can
// slow another's look-ups and nothing is added per call to set it up.
interface Prepared {
  readonly competitor: Competitor
  readonly registry: Metric.MetricRegistry
}

const prepare = (entry: Entry, count: number): Prepared => {
  const registry: Metric.MetricRegistry = new Map()
  const run = Effect.runSyncWith(Context.make(Metric.MetricRegistry, registry))
  const program = entry.wrap(operations(count).effect)
  return { competitor: { id: entry.id, check: isValue, sync: () => run(program) }, registry }
}

const table = (id: string, caption: string, list: ReadonlyArray<Entry>, stats: Map<string, Summary>): Table => {
  const off = stats.get(offId)!.median
  return {
    id,
    caption,
    unit: "per call",
    kind: "time",
    columns: ["added per call", "spread"],
    reference: { id: offId, heading: "÷ no telemetry" },
    rows: list.map((entry): Row => {
      const own = stats.get(entry.id)!
      return {
        id: entry.id,
        name: entry.name,
        figure: own.median,
        cells: [entry.id === offId ? "—" : formatNanos(own.median - off), formatSpread(own)],
        includes: entry.includes
      }
    })
  }
}

// Polly v8's own TelemetryBenchmark, as published in its repository: one strategy that reports one event per
// execution, with telemetry configured (a null logger, a listener on its meter) or not.
const pollyOff = 39.5
const pollyOn = 271.68
const polly: Table = {
  id: "polly",
  caption: "For reference: .NET Polly v8, as its own benchmark reports it (another runtime and machine)",
  unit: "per call",
  kind: "time",
  columns: ["added per call", "spread"],
  reference: { id: offId, heading: "÷ no telemetry" },
  rows: [
    {
      id: offId,
      name: "Polly `ExecuteOutcomeAsync`, telemetry off",
      figure: pollyOff,
      cells: ["—", "mean; StdDev 1.21 ns"],
      includes: "One execution of a pipeline whose single strategy reports one event; nothing listens."
    },
    {
      id: "on",
      name: "Polly `ExecuteOutcomeAsync`, telemetry on",
      figure: pollyOn,
      cells: [formatNanos(pollyOn - pollyOff), "mean; StdDev 4.65 ns"],
      includes: "The same, with `ConfigureTelemetry` (null logger) and a `MeterListener` on Polly's metrics; no span."
    }
  ]
}

const seriesCounts = (prepared: ReadonlyMap<string, Prepared>): string =>
  [...prepared].map(([id, { registry }]) => `${id} ${registry.size}`).join(", ")

export const telemetry: Case = {
  id: "telemetry",
  title: "Telemetry: an observed policy (`Policy.observed`, `Policy.retry`) against the same policy unobserved",
  run: async () => {
    const happy = new Map(entries.map((entry) => [entry.id, prepare(entry, 0)]))
    const failing = new Map(entries.filter((e) => e.retries).map((entry) => [entry.id, prepare(entry, failures)]))
    const happyStats = await measure([...happy.values()].map((p) => p.competitor), plan)
    const failingStats = await measure([...failing.values()].map((p) => p.competitor), plan)
    const added = (stats: Map<string, Summary>, id: string) => stats.get(id)!.median - stats.get(offId)!.median
    const ratio = (stats: Map<string, Summary>, id: string) => stats.get(id)!.median / stats.get(offId)!.median
    // A cost at or below zero is the noise of the difference, not a saving.
    const cost = (ns: number) => ns > 0 ? formatNanos(ns) : `nothing measurable (${formatNanos(ns)})`
    // What one retry adds, with the fixed cost per call taken out.
    const perRetry = (id: string) => formatNanos((added(failingStats, id) - added(happyStats, id)) / failures)
    const tracer = Effect.runSync(Effect.tracer) === Tracer.nativeTracer
      ? "Effect's default native tracer (`Tracer.nativeTracer`)"
      : "a tracer other than Effect's native one"
    const logLevel = Effect.runSync(Effect.service(References.MinimumLogLevel))
    return {
      method: [
        `One policy, \`Policy.constant({ delay: 0, maxRetries: ${failures} })\`, runs two scripted operations: one ` +
        `that succeeds at once, and one that fails ${failures} times with zero delay and then succeeds. Each row ` +
        "wraps them differently; the figure is the median time per call with `Effect.runSyncWith`, the ratio " +
        "divides it by the unobserved policy's, and \"added per call\" subtracts that policy's.",
        `Tracing and logging are as an application gets them by default: ${tracer}, with no exporter, so spans ` +
        `are made, ended and dropped in memory; the minimum log level is ${logLevel}, so Debug logs are built up ` +
        "to the level check and go no further. Metrics are recorded into a fresh `Metric.MetricRegistry` per row, " +
        "provided through the runner's context."
      ],
      tables: [
        table("happy", "First attempt succeeds (`Effect.runSync`)", entries, happyStats),
        table(
          "retries",
          `${failures} failures, then success: ${failures} zero-delay retries (\`Effect.runSync\`)`,
          entries.filter((entry) => entry.retries),
          failingStats
        ),
        polly
      ],
      workloads: new Map([
        ...[...happy].map(([id, p]) => [`happy/${id}`, p.competitor] as const),
        ...[...failing].map(([id, p]) => [`retries/${id}`, p.competitor] as const)
      ]),
      notes: [
        `Per retry (the difference between the two tables' added costs, divided by ${failures}): schedule ` +
        `telemetry ${perRetry("schedule")}, the full wrapper ${perRetry("wrapper")}. A call that ` +
        `succeeds at once pays ${formatNanos(added(happyStats, "wrapper"))} for the full wrapper ` +
        `(${formatRatio(ratio(happyStats, "wrapper"))} the unobserved policy's time) and ` +
        `${cost(added(happyStats, "schedule"))} for schedule telemetry, which records only when a retry happens.`,
        "An unobserved policy pays nothing for telemetry: it keeps the bare decision, with no effect between a " +
        "failure and its sleep. Against Effect's native schedule, see the `native` row here and section 1's " +
        "synchronous table (ours against `Effect.retry` with `exponential` and `upTo`).",
        "Polly's figures come from `bench/BenchmarkDotNet.Artifacts/results/" +
        "Polly.Core.Benchmarks.TelemetryBenchmark-report-github.md` in the App-vNext/Polly repository (.NET 9.0.8, " +
        `Intel Core i7-13700H): ${formatNanos(pollyOff)} without telemetry, ${formatNanos(pollyOn)} with it ` +
        "(no enrichment). They are printed as published, not measured here; machine and runtime differ, so " +
        "compare ratios, not nanoseconds.",
        `Series in each row's registry after the run (the happy table): ${seriesCounts(happy)}; with retries: ` +
        `${seriesCounts(failing)}. Each is a fixed set, so no series was created while timing.`
      ]
    }
  }
}
