/**
 * Case: the retry budget. What one operation of the in-memory store costs, each run alone with `Effect.runSync`;
 * and what a budget adds to a call, and to each retry, made through `Policy.retry`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Policy from "../src/Policy.ts"
import * as RetryBudget from "../src/RetryBudget.ts"
import { isValue, operations } from "./fixtures.ts"
import { type Competitor, measure, type Plan } from "./harness.ts"
import type { Case, Row, Table } from "./model.ts"
import { formatNanos, formatRatio, formatSpread, type Summary } from "./stats.ts"

const storePlan: Plan = { rounds: 20, roundMillis: 25, batchMicros: 200 }
const retryPlan: Plan = { rounds: 30, roundMillis: 25, batchMicros: 300 }
const key = "bench"
const failures = 10
// Calls already in the ratio budget's window: this many in each of its ten slices.
const callsPerSlice = 100
const slices = 10
// Finagle's default window, and the ratio budget's.
const ttlMillis = 10_000
// A floor no run can exhaust, for the rows that must keep being granted.
const unboundedPerSecond = 1_000_000
const fiberId = "bare-fiber"
const offId = "off"

interface Entry {
  readonly competitor: Competitor
  readonly name: string
  readonly includes: string
  /** The same operation run `inFiber` times in one fiber; absent where the operation starts no fiber. */
  readonly looped?: Competitor
}

const isVoid = (result: unknown): boolean => result === undefined
const is = (expected: boolean) => (result: unknown): boolean => result === expected
const make = (options: RetryBudget.Options): RetryBudget.Store => Effect.runSync(RetryBudget.makeMemory(options))
// Operations per fiber in the looped runs, so that starting the fiber weighs about 1 % of the figure.
const inFiber = 100

const entry = (
  id: string,
  check: (result: unknown) => boolean,
  program: () => Effect.Effect<unknown>,
  name: string,
  includes: string
): Entry => {
  const loop = Effect.suspend(() => {
    let count = 0
    return Effect.whileLoop({ while: () => count++ < inFiber, body: program, step: () => {} })
  })
  return {
    competitor: { id, check, sync: () => Effect.runSync(program()) },
    name,
    includes,
    ...(program() === Effect.void ? {} : { looped: { id, check: isVoid, sync: () => Effect.runSync(loop) } })
  }
}

// Fills the window ending at `now` with `callsPerSlice` calls in each slice.
const withTraffic = (store: RetryBudget.Store, now: number): RetryBudget.Store => {
  const slice = ttlMillis / slices
  for (let age = 0; age < slices; age++) {
    for (let i = 0; i < callsPerSlice; i++) Effect.runSync(store.call(key, now - age * slice))
  }
  return store
}

// Asks for retries until the budget refuses one, so that every later `acquire` is refused.
const exhausted = (store: RetryBudget.Store, now: number): RetryBudget.Store => {
  while (Effect.runSync(store.acquire(key, now))) { /* granted: ask again */ }
  return store
}

const storeEntries = (now: number): ReadonlyArray<Entry> => {
  const bucket = make({ algorithm: "token-bucket" })
  const named = make({ algorithm: "token-bucket", name: key })
  const drained = make({ algorithm: "token-bucket" })
  for (let i = 0; i < 100; i++) Effect.runSync(drained.failure(key, now))
  const failing = make({ algorithm: "token-bucket" })
  const succeeding = make({ algorithm: "token-bucket" })
  const open = withTraffic(make({ algorithm: "ratio", minPerSecond: unboundedPerSecond }), now)
  const spent = exhausted(withTraffic(make({ algorithm: "ratio" }), now), now)
  const counting = withTraffic(make({ algorithm: "ratio" }), now)
  const noop = () => {}
  return [
    entry(
      "bare-void",
      isVoid,
      () => Effect.void,
      "bare: `Effect.runSync(Effect.void)`",
      "No fiber: the runner returns an exit value as it is."
    ),
    entry(
      fiberId,
      isVoid,
      () => Effect.sync(noop),
      "bare: `Effect.runSync(Effect.sync(() => {}))`",
      "One fiber run of a synchronous step that does nothing; in a running fiber, the empty step."
    ),
    entry(
      "bucket-acquire",
      is(true),
      () => bucket.acquire(key, now),
      "token bucket: `acquire`, granted (100 tokens of 100)",
      "A map read, the comparison with `maxTokens / 2`, the unnamed recorder's `Effect.void` mapped to the answer."
    ),
    entry(
      "bucket-refused",
      is(false),
      () => drained.acquire(key, now),
      "token bucket: `acquire`, refused (0 tokens of 100)",
      "The same steps; a refusal costs what a grant does."
    ),
    entry(
      "bucket-named",
      is(true),
      () => named.acquire(key, now),
      "token bucket, named: `acquire`, granted",
      "As unnamed, plus the decisions counter, its labels bound when the store is made."
    ),
    entry(
      "bucket-failure",
      isVoid,
      () => failing.failure(key, now),
      "token bucket: `failure`",
      "A map read and write in `Effect.sync`: one token taken (the count stays at 0 once empty)."
    ),
    entry(
      "bucket-success",
      isVoid,
      () => succeeding.success(key, now),
      "token bucket: `success`",
      "A map read and write in `Effect.sync`: `tokenRatio` given back, capped at `maxTokens`."
    ),
    entry(
      "bucket-call",
      isVoid,
      () => bucket.call(key, now),
      "token bucket: `call`",
      "`Effect.void`, as are the ratio budget's `failure` and `success`: neither algorithm counts these."
    ),
    entry(
      "ratio-acquire",
      is(true),
      () => open.acquire(key, now),
      "ratio: `acquire`, granted",
      "Finding the key's slice, summing calls and retries over ten slices, finding the slice again and counting " +
        "the retry."
    ),
    entry(
      "ratio-refused",
      is(false),
      () => spent.acquire(key, now),
      "ratio: `acquire`, refused",
      "Finding the key's slice and summing the ten slices; nothing is counted."
    ),
    entry(
      "ratio-call",
      isVoid,
      () => counting.call(key, now),
      "ratio: `call`",
      "Finding the key's slice and counting the call, in `Effect.sync`."
    )
  ]
}

/** Per operation when `inFiber` of them run in one fiber, and that less an empty step's: the operation's own work. */
const inFiberOf = (looped: Map<string, Summary>) => {
  const perOperation = (id: string) => {
    const summary = looped.get(id)
    return summary === undefined ? undefined : summary.median / inFiber
  }
  const own = (id: string) => {
    const operation = perOperation(id)
    return operation === undefined || id === fiberId ? undefined : operation - perOperation(fiberId)!
  }
  return { perOperation, own }
}

// An operation's own work; at or below zero, the noise of the difference.
const ownCell = (ns: number | undefined): string =>
  ns === undefined ? "—" : ns > 0 ? formatNanos(ns) : `≈ 0 (${formatNanos(ns)})`

const storeTable = (list: ReadonlyArray<Entry>, stats: Map<string, Summary>, looped: Map<string, Summary>): Table => {
  const { perOperation, own } = inFiberOf(looped)
  const cell = (ns: number | undefined) => ns === undefined ? "—" : formatNanos(ns)
  return {
    id: "store",
    caption: "One store operation (`Effect.runSync(store.op(key, now))`, the effect made per call)",
    unit: "per operation",
    kind: "time",
    columns: [`in a running fiber (${inFiber} per run)`, "above an empty step", "spread"],
    reference: { id: fiberId, heading: "÷ empty fiber run" },
    rows: list.map(({ competitor: { id }, name, includes }): Row => {
      const summary = stats.get(id)!
      const cells = [cell(perOperation(id)), ownCell(own(id)), formatSpread(summary)]
      return { id, name, figure: summary.median, cells, includes }
    })
  }
}

interface Retried {
  readonly id: string
  readonly name: string
  readonly includes: string
  /** One run of the program, for an operation that fails `count` times per run. */
  readonly make: (count: number) => () => unknown
}

const policy = Policy.constant({ delay: 0, maxRetries: failures })
const budgeted = policy.pipe(Policy.withBudget(key))
const bucketLayer = RetryBudget.layerMemory({ algorithm: "token-bucket" })
const ratioLayer = RetryBudget.layerMemory({ algorithm: "ratio" })

// Every row records into a fresh metric registry, provided through the runner's context.
const runner = () => Effect.runSyncWith(Context.make(Metric.MetricRegistry, new Map()))

// The program is built once, `Effect.provide` included; each call runs it.
const runEach = <A, E>(program: Effect.Effect<A, E>) => {
  const run = runner()
  return () => run(program)
}

const retriedEntries: ReadonlyArray<Retried> = [
  {
    id: offId,
    name: "no budget: `Policy.retry(op, policy)`",
    includes: "The wrapper's span and metrics and the policy's decisions; no budget.",
    make: (count) => runEach(Policy.retry(operations(count).effect, policy))
  },
  {
    id: "provided",
    name: "no budget, layer provided: `Policy.retry(op, policy).pipe(Effect.provide(layer))`",
    includes: "As above, plus building the budget layer on every run: a scope, a memo map and a new store, and " +
      "closing the scope at the end. The budget is never asked.",
    make: (count) => runEach(Policy.retry(operations(count).effect, policy).pipe(Effect.provide(bucketLayer)))
  },
  {
    id: "token-bucket",
    name: "token bucket: `Policy.retry(op, policy.pipe(Policy.withBudget(\"bench\")))` + " +
      "`Effect.provide(RetryBudget.layerMemory({ algorithm: \"token-bucket\" }))`",
    includes: "As the row above, plus the budget: per run the service look-up, a Clock read and `call`; per retry " +
      "`failure` and `acquire` in effects between the failure and its sleep; per success `success`.",
    make: (count) => runEach(Policy.retry(operations(count).effect, budgeted).pipe(Effect.provide(bucketLayer)))
  },
  {
    id: "ratio",
    name: "ratio: the same with `RetryBudget.layerMemory({ algorithm: \"ratio\" })`",
    includes: "As the token bucket row, with the ratio store's operations.",
    make: (count) => runEach(Policy.retry(operations(count).effect, budgeted).pipe(Effect.provide(ratioLayer)))
  },
  {
    id: "shared",
    name: "ratio, shared: the budgeted call, its store made once and provided through the runner's context",
    includes: "The budget as in the ratio row, without building a layer per run: one store for every run, as an " +
      "application that provides the layer once gets. Its floor is set so that it never refuses.",
    make: (count) => {
      const store = make({ algorithm: "ratio", minPerSecond: unboundedPerSecond })
      const context = Context.make(Metric.MetricRegistry, new Map()).pipe(Context.add(RetryBudget.RetryBudget, store))
      const run = Effect.runSyncWith(context)
      const program = Policy.retry(operations(count).effect, budgeted)
      return () => run(program)
    }
  }
]

const competitor = (entry: Retried, count: number): Competitor => ({
  id: entry.id,
  check: isValue,
  sync: entry.make(count)
})

export const budget: Case = {
  id: "budget",
  title: "Retry budget: one decision of the in-memory store, and what a budget adds to a retry",
  run: async () => {
    // A fixed instant, so that the ratio budget's window never moves while it is timed.
    const now = Date.now()
    const stores = storeEntries(now)
    const storeStats = await measure(stores.map((e) => e.competitor), storePlan)
    const loops = stores.flatMap((e) => e.looped === undefined ? [] : [e.looped])
    const loopStats = await measure(loops, storePlan)
    const happy = retriedEntries.map((entry) => competitor(entry, 0))
    const failing = retriedEntries.map((entry) => competitor(entry, failures))
    const happyStats = await measure(happy, retryPlan)
    const failingStats = await measure(failing, retryPlan)

    const added = (stats: Map<string, Summary>, id: string) => stats.get(id)!.median - stats.get(offId)!.median
    // What a budget adds to one retry, with the fixed cost per call taken out.
    const perRetry = (id: string) => (added(failingStats, id) - added(happyStats, id)) / failures
    const table = (id: string, caption: string, stats: Map<string, Summary>, retries: boolean): Table => ({
      id,
      caption,
      unit: "per call",
      kind: "time",
      columns: ["added per call", ...(retries ? ["added per retry"] : []), "spread"],
      reference: { id: offId, heading: "÷ no budget" },
      rows: retriedEntries.map((entry): Row => {
        const own = stats.get(entry.id)!
        const dash = entry.id === offId
        return {
          id: entry.id,
          name: entry.name,
          figure: own.median,
          cells: [
            dash ? "—" : formatNanos(added(stats, entry.id)),
            ...(retries ? [dash ? "—" : formatNanos(perRetry(entry.id))] : []),
            formatSpread(own)
          ],
          includes: entry.includes
        }
      })
    })
    const ratioOf = (stats: Map<string, Summary>, id: string) => stats.get(id)!.median / stats.get(offId)!.median
    const { own } = inFiberOf(loopStats)
    const storeWork = Math.max(0, own("bucket-acquire")!) + Math.max(0, own("bucket-failure")!)
    const part = storeWork < perRetry("token-bucket") / 2 ? "smaller" : "larger"
    return {
      method: [
        "Store operations: each row runs one operation of `RetryBudget.makeMemory`'s store with `Effect.runSync`, " +
        "the effect made afresh per call as `Policy.withBudget` makes it; the figure is the median time per " +
        `operation, whole. The columns beside it run the same operation ${inFiber} times in one fiber ` +
        "(`Effect.whileLoop`, timed apart) and give the time per operation, and that time less an empty step's " +
        "(`Effect.sync(() => {})`): the operation's own work, as a policy pays it inside its fiber. Each row has " +
        "a store of its own, " +
        "prepared before timing so that its answer never changes while it is timed. `now` is one fixed instant, " +
        `so the ratio budget's window does not move; it holds ${callsPerSlice} calls in each of its ${slices} ` +
        `slices (the default ${ttlMillis / 1000} s window). The granted ratio row has a floor of ` +
        `${unboundedPerSecond.toLocaleString("en-US")} retries per second, so that no grant is refused however ` +
        "many it counts; the refused rows were asked until they refused (the token bucket after 100 failures, " +
        "the ratio budget with its defaults after 20 % of the calls plus its floor of 10 per second).",
        `A retry through a budget: \`Policy.retry\` with \`Policy.constant({ delay: 0, maxRetries: ${failures} })\` ` +
        `runs an operation that succeeds at once, and one that fails ${failures} times and then succeeds. Each ` +
        "program is built once, `Effect.provide` included, and run many times with `Effect.runSyncWith`; " +
        "`Effect.provide` of a layer builds the layer anew on every run, so every run starts with a full budget. " +
        "\"added per call\" subtracts the unbudgeted call's median; \"added per retry\" is the difference between " +
        `the two tables' added costs, divided by ${failures}, which takes the fixed cost per call out.`
      ],
      tables: [
        storeTable(stores, storeStats, loopStats),
        table("happy", "A retry through a budget: first attempt succeeds (`Effect.runSync`)", happyStats, false),
        table(
          "retries",
          `A retry through a budget: ${failures} failures, then success (\`Effect.runSync\`)`,
          failingStats,
          true
        )
      ],
      workloads: new Map([
        ...stores.map((e) => [`store/${e.competitor.id}`, e.competitor] as const),
        ...loops.map((c) => [`store-loop/${c.id}`, c] as const),
        ...happy.map((c) => [`happy/${c.id}`, c] as const),
        ...failing.map((c) => [`retries/${c.id}`, c] as const)
      ]),
      notes: [
        `Per retry, a budget adds ${formatNanos(perRetry("token-bucket"))} (token bucket) and ` +
        `${formatNanos(perRetry("ratio"))} (ratio) when the layer is provided to the call, ` +
        `${formatNanos(perRetry("shared"))} with a shared store. A call that succeeds at once pays ` +
        `${formatNanos(added(happyStats, "shared"))} for a shared budget ` +
        `(${formatRatio(ratioOf(happyStats, "shared"))} the unbudgeted call's time); providing the layer to the ` +
        `call costs ${formatNanos(added(happyStats, "provided"))} of its own. The row with the layer and no ` +
        `budget does no budget work per retry: its ${formatNanos(perRetry("provided"))} per retry is the noise ` +
        "of these differences.",
        `Of a retry's share, the store's own work is the ${part} part: in a running fiber, above an empty step, ` +
        `the token bucket's \`acquire\` takes ${ownCell(own("bucket-acquire"))} and its \`failure\` ` +
        `${ownCell(own("bucket-failure"))}; the ratio budget's \`acquire\` ${ownCell(own("ratio-acquire"))} ` +
        "(first table). The rest is the effects that carry them between a failure and its sleep, which a " +
        "policy without a budget, observer or tap does not run.",
        "Each operation of the in-memory store is one synchronous step: fibers interleave only between " +
        "operations, so no fiber ever waits for another and there is no contention to measure. A shared store " +
        "(Redis) would add a round trip per operation; none is measured here.",
        "No peer runs beside these rows: cockatiel and p-retry have no retry budget. For reference, the published " +
        "designs: gRPC retry throttling (the token bucket here: a failure takes a token, a success gives back " +
        "`tokenRatio`, retries only while more than half the tokens are left), Finagle's `RetryBudget` (the ratio " +
        "here, with its defaults: 20 % of calls over 10 s plus 10 retries per second), and the AWS SDKs' " +
        "standard-mode retry quota (a bucket of 500 that a retry draws 5 from, 10 after a timeout; a retry that " +
        "succeeds returns what it drew, a call that succeeds without retry adds 1). The AWS SDK for JavaScript " +
        "keeps its quota in `@smithy/util-retry`'s `StandardRetryStrategy`; it is not a dependency here, so it is " +
        "not measured."
      ]
    }
  }
}
