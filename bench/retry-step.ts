/**
 * Case: the cost of one retry. Each competitor runs an operation that fails `failures` times with zero delay and
 * then succeeds, and the same wrapper around an operation that succeeds at once; the difference, divided by
 * `failures`, is the cost per retry with the wrapper's fixed cost taken out.
 */
import { ConstantBackoff, handleAll, retry } from "cockatiel"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import pRetry from "p-retry"
import * as Policy from "../src/Policy.ts"
import { isValue, operations, retryAsync, retrySync } from "./fixtures.ts"
import { type Competitor, measure, type Plan } from "./harness.ts"
import type { Case, Row, Table } from "./model.ts"
import { formatNanos, formatSpread, type Summary } from "./stats.ts"

const failures = 10
const plan: Plan = { rounds: 20, roundMillis: 25, batchMicros: 300 }

interface Entry {
  readonly id: string
  readonly name: string
  readonly includes: string
  /** One call of the wrapper around an operation that fails `count` times per run; it allows `failures` retries. */
  readonly make: (count: number) => Call
}

type Call = { readonly sync: () => unknown } | { readonly async: () => Promise<unknown> }

const effectSchedule = Schedule.recurs(failures)
const oursPolicy = Policy.constant({ delay: 0, maxRetries: failures })

const syncEntries: ReadonlyArray<Entry> = [
  {
    id: "hand",
    name: "hand-written loop (sync)",
    includes: "Throwing and catching the shared error; nothing else.",
    make: (count) => {
      const op = operations(count)
      return { sync: () => retrySync(op.sync, failures) }
    }
  },
  {
    id: "effect",
    name: "Effect.retry + `Schedule.recurs(10)`",
    includes: "The failure, `recurs`' step (a `while` over `forever`), metadata, a zero sleep (a synchronous yield).",
    make: (count) => {
      const program = Effect.retry(operations(count).effect, effectSchedule)
      return { sync: () => Effect.runSync(program) }
    }
  },
  {
    id: "ours",
    name: "ours: Effect.retry + `Policy.constant({ delay: 0, maxRetries: 10 })`",
    includes: "As Effect's, with our driver's decision and `Step` record instead of `recurs`' step.",
    make: (count) => {
      const program = Effect.retry(operations(count).effect, oursPolicy)
      return { sync: () => Effect.runSync(program) }
    }
  }
]

const promiseEntries: ReadonlyArray<Entry> = [
  {
    id: "hand-async",
    name: "hand-written loop (async)",
    includes: "A rejected promise caught by an async loop; no timer.",
    make: (count) => {
      const op = operations(count)
      return { async: () => retryAsync(op.async, failures, 0) }
    }
  },
  {
    id: "effect",
    name: "Effect.retry + `Schedule.recurs(10)` (runPromise)",
    includes: "As in the synchronous table, but the zero sleep yields through `setImmediate`.",
    make: (count) => {
      const program = Effect.retry(operations(count).effect, effectSchedule)
      return { async: () => Effect.runPromise(program) }
    }
  },
  {
    id: "ours",
    name: "ours (runPromise)",
    includes: "As in the synchronous table, but the zero sleep yields through `setImmediate`.",
    make: (count) => {
      const program = Effect.retry(operations(count).effect, oursPolicy)
      return { async: () => Effect.runPromise(program) }
    }
  },
  {
    id: "cockatiel",
    name: "cockatiel `retry(handleAll, { maxAttempts: 10, backoff: new ConstantBackoff(0) })`",
    includes: "A `setTimeout(0)` per retry, which Node runs after at least 1 ms, plus the retry event.",
    make: (count) => {
      const op = operations(count)
      const policy = retry(handleAll, { maxAttempts: failures, backoff: new ConstantBackoff(0) })
      return { async: () => policy.execute(op.async) }
    }
  },
  {
    id: "p-retry",
    name: "p-retry `{ retries: 10, minTimeout: 0 }`",
    includes: "Error normalisation, two frozen context objects and four awaited callbacks per retry; no timer.",
    make: (count) => {
      const op = operations(count)
      const options = { retries: failures, minTimeout: 0 }
      return { async: () => pRetry(op.async, options) }
    }
  }
]

const table = (id: string, caption: string, list: ReadonlyArray<Entry>, stats: Map<string, Summary>): Table => ({
  id,
  caption,
  unit: "per retry",
  kind: "time",
  columns: ["run, 0 failures (median)", `run, ${failures} failures (median)`, `spread, ${failures} failures`],
  rows: list.map((entry): Row => {
    const clean = stats.get(`${entry.id}:0`)!
    const failing = stats.get(`${entry.id}:${failures}`)!
    return {
      id: entry.id,
      name: entry.name,
      figure: (failing.median - clean.median) / failures,
      cells: [formatNanos(clean.median), formatNanos(failing.median), formatSpread(failing)],
      includes: entry.includes
    }
  })
})

const competitor = (entry: Entry, count: number): Competitor => ({
  id: `${entry.id}:${count}`,
  check: isValue,
  ...entry.make(count)
})

export const retryStep: Case = {
  id: "retry-step",
  title: `Retry step: cost per retry, ${failures} zero-delay retries`,
  run: async () => {
    const sync = syncEntries.flatMap((entry) => [competitor(entry, 0), competitor(entry, failures)])
    const promise = promiseEntries.flatMap((entry) => [competitor(entry, 0), competitor(entry, failures)])
    const syncStats = await measure(sync, plan)
    const promiseStats = await measure(promise, plan)
    // The failing runs, keyed by table and row.
    const workloads = (table: string, list: ReadonlyArray<Competitor>) =>
      list.filter((c) => c.id.endsWith(`:${failures}`)).map((c) => [`${table}/${c.id.split(":")[0]}`, c] as const)
    return {
      method: [
        `Each wrapper allows ${failures} retries with zero delay. One run wraps an operation that fails ` +
        `${failures} times and then succeeds; another wraps one that succeeds at once. The figure is ` +
        `(median of the failing run − median of the clean run) / ${failures}.`,
        "Zero delay means: ours `Policy.constant({ delay: 0 })`, Effect `Schedule.recurs(n)` (no delay), cockatiel " +
        "`ConstantBackoff(0)`, p-retry `minTimeout: 0`. Effect's clock turns a zero sleep into a yield, which " +
        "`runSync` drains synchronously and `runPromise` schedules with `setImmediate`."
      ],
      tables: [
        table("sync", "Synchronous (`Effect.runSync`, plain calls)", syncEntries, syncStats),
        table("promise", "Promise-returning (every call awaited)", promiseEntries, promiseStats)
      ],
      workloads: new Map([...workloads("sync", sync), ...workloads("promise", promise)]),
      notes: [
        "cockatiel always goes through `setTimeout`, even for a zero delay, so its figure is dominated by Node's " +
        "1 ms minimum timer delay and measures the event loop more than cockatiel's own code."
      ]
    }
  }
}
