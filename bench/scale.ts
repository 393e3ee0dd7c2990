/**
 * Case: scale. 100,000 concurrent callers asleep in a one-hour backoff. Each competitor runs alone in a fresh
 * process (`scale-child.ts`), several times in turn, and the median of its runs is reported.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import type { Case, Row } from "./model.ts"
import type { ScaleReport } from "./scale-child.ts"
import { formatBytes, formatNanos, summarize } from "./stats.ts"

const callers = 100_000
const repetitions = 3
const childPath = fileURLToPath(new URL("./scale-child.ts", import.meta.url))

interface Entry {
  readonly id: string
  readonly name: string
  readonly stop: string
}

const entries: ReadonlyArray<Entry> = [
  { id: "hand", name: "hand-written loop (async, abortable sleep)", stop: "`abort()` per caller" },
  { id: "effect", name: "Effect.retry + `exponential(\"1 hour\")` with `upTo({ times: 3 })`", stop: "`interruptAll`" },
  { id: "ours", name: "ours: Effect.retry + `Policy.exponential({ base: \"1 hour\" })`", stop: "`interruptAll`" },
  { id: "cockatiel", name: "cockatiel `retry(handleAll, { maxAttempts, backoff })`", stop: "`abort()` per caller" },
  { id: "p-retry", name: "p-retry `{ minTimeout: 1 hour, signal }`", stop: "`abort()` per caller" }
]

/** The command that runs one competitor, as the report shows it. */
export const childCommand = (competitor: string): string =>
  `${process.execPath} --expose-gc bench/scale-child.ts ${competitor} ${callers}`

const runChild = async (competitor: string): Promise<ScaleReport> => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", childPath, competitor, `${callers}`])
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as ScaleReport
}

const median = (values: ReadonlyArray<number>): number => summarize(values).median
const range = (values: ReadonlyArray<number>, format: (n: number) => string): string =>
  values.length === 0 ? "—" : `${format(Math.min(...values))} – ${format(Math.max(...values))}`

const millis = (ms: number): string => formatNanos(ms * 1e6)

export const scale: Case = {
  id: "scale",
  title: `Scale: ${callers.toLocaleString("en-US")} callers asleep in a one-hour backoff`,
  run: async () => {
    const reports = new Map<string, Array<ScaleReport>>(entries.map((entry) => [entry.id, []]))
    for (let round = 0; round < repetitions; round++) {
      for (const entry of entries) reports.get(entry.id)!.push(await runChild(entry.id))
    }

    const memory = entries.map((entry): Row => {
      const runs = reports.get(entry.id)!
      const bytes = runs.map((run) => run.bytesPerCaller)
      return {
        id: entry.id,
        name: entry.name,
        figure: median(bytes),
        cells: [range(bytes, formatBytes), millis(median(runs.map((run) => run.startMillis)))],
        includes: entry.id === "effect" || entry.id === "ours"
          ? "The fiber, its stack and context, the schedule's state, the timer and its cancel closure."
          : "The pending promises, the retry closure, one `AbortController` with its listener, the timer."
      }
    })
    const stop = entries.map((entry): Row => {
      const runs = reports.get(entry.id)!
      const times = runs.flatMap((run) => run.stopMillis === undefined ? [] : [run.stopMillis])
      const pending = Math.max(...runs.map((run) => run.pendingAfterStop))
      const left = Math.max(...runs.map((run) => run.timersLeft))
      return {
        id: entry.id,
        name: entry.name,
        figure: times.length === runs.length ? median(times) * 1e6 : undefined,
        missing: `not settled after ${millis(runs[0]!.graceMillis)}`,
        cells: [
          entry.stop,
          range(times, millis),
          pending.toLocaleString("en-US"),
          left.toLocaleString("en-US"),
          left === 0 ? "yes" : "**no**"
        ],
        includes: "From the first interrupt or abort until every caller has settled."
      }
    })
    return {
      method: [
        `Each competitor starts ${callers.toLocaleString("en-US")} callers of an operation that always fails, ` +
        `retried up to 3 times with an exponential backoff from 1 hour. Once every caller holds a timer, the ` +
        "heap is measured (`process.memoryUsage().heapUsed` after two forced collections, minus the same " +
        "before the callers started; a first batch of 1,000 callers warms the code up). Then every caller is " +
        "interrupted (Effect) or aborted (Promise libraries), the time until all have settled is taken, and the " +
        "`Timeout` entries of `process.getActiveResourcesInfo()` are counted.",
        `Each competitor runs in a fresh process, ${repetitions} times, the competitors taking turns: ` +
        "`" + childCommand("<competitor>") + "`. Figures are medians of the runs."
      ],
      tables: [
        {
          id: "memory",
          caption: "Heap per sleeping caller",
          unit: "bytes per caller",
          kind: "bytes",
          columns: ["range over runs", "start all (median)"],
          rows: memory
        },
        {
          id: "stop",
          caption: "Interrupting or aborting them all",
          unit: "time to stop all",
          kind: "time",
          columns: ["how", "range over runs", "callers pending after", "timers left", "all timers cleared"],
          rows: stop
        }
      ],
      workloads: new Map(),
      notes: [
        "cockatiel 4.0.0 sleeps between retries in a `setTimeout` that does not listen to the `AbortSignal` given " +
        "to `execute`; the signal is checked only after the sleep. Aborted calls therefore stay pending, each with " +
        "its timer, until the backoff ends (here an hour later).",
        "\"start all\" is the time from the first fork or call until every caller holds a timer; with 100,000 live " +
        "callers it is dominated by garbage collection promoting them to the old generation."
      ]
    }
  }
}
