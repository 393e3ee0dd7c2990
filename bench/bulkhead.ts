/**
 * Case: the bulkhead. What a call pays to pass through a bulkhead with a free slot, against the same call bare,
 * Effect's semaphore and cockatiel's bulkhead; and what a call pays to be turned away by a full one.
 */
import { bulkhead as cockatielBulkhead, BulkheadRejectedError } from "cockatiel"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Semaphore from "effect/Semaphore"
import * as Bulkhead from "../src/Bulkhead.ts"
import { type Competitor, measure, type Plan } from "./harness.ts"
import { type Case, oursId, type Row, type Table } from "./model.ts"
import { type Entry, overheadTable } from "./overhead.ts"
import { formatSpread, type Summary } from "./stats.ts"

const maxConcurrent = 10
const maxQueued = 100
const plan: Plan = { rounds: 20, roundMillis: 25, batchMicros: 200 }

// Every Effect row runs with a fresh metric registry of its own, provided through the runner's context.
const runners = () => {
  const context = Context.make(Metric.MetricRegistry, new Map())
  return {
    sync: Effect.runSyncWith(context),
    exit: Effect.runSyncExitWith(context),
    promise: Effect.runPromiseWith(context),
    fork: Effect.runForkWith(context)
  }
}

const isVoid = (result: unknown): boolean => result === undefined
const sync = (id: string, check: (result: unknown) => boolean, call: () => unknown): Competitor => ({
  id,
  check,
  sync: call
})
const async = (id: string, call: () => Promise<unknown>): Competitor => ({ id, check: isVoid, async: call })

const makeBulkhead = (options: Bulkhead.Options) => Effect.runSync(Bulkhead.make(options))

// `Effect.void` is an exit value, which the runners return without starting a fiber; suspending it makes the
// bare run start one, as every wrapped run does.
const inFiber = Effect.suspend(() => Effect.void)

const passes = () => {
  const named = { maxConcurrent, maxQueued, name: "bench" }
  const syncProgram = (id: string, program: Effect.Effect<void, unknown>) => {
    const run = runners().sync
    return sync(id, isVoid, () => run(program))
  }
  const promiseProgram = (id: string, program: Effect.Effect<void, unknown>) => {
    const run = runners().promise
    return async(id, () => run(program))
  }
  const operation = async (): Promise<void> => {}
  const cockatiel = cockatielBulkhead(maxConcurrent, maxQueued)
  const common = (make: (id: string, program: Effect.Effect<void, unknown>) => Competitor, baseline: string) => [
    {
      competitor: make("semaphore", Semaphore.makeUnsafe(maxConcurrent).withPermit(Effect.void)),
      name: `Effect \`Semaphore.makeUnsafe(${maxConcurrent}).withPermit(Effect.void)\``,
      baseline,
      includes: "Taking a permit in an uninterruptible region, an exit hook that gives it back."
    },
    {
      competitor: make(oursId, makeBulkhead({ maxConcurrent, maxQueued }).run(Effect.void)),
      name: "ours: `bulkhead.run(Effect.void)`, unnamed",
      baseline,
      includes: "Taking a slot in an uninterruptible region, an exit hook that frees it; no metrics."
    },
    {
      competitor: make("named", makeBulkhead(named).run(Effect.void)),
      name: "ours, named: `bulkhead.run(Effect.void)` with metrics",
      baseline,
      includes: "As unnamed, plus the `admitted` counter and the running gauge written on entry and on exit."
    }
  ]
  return {
    sync: [
      {
        competitor: syncProgram("bare-void", Effect.void),
        name: "bare: `Effect.runSync(Effect.void)`",
        baseline: "",
        includes: "No fiber: the runner returns an exit value as it is."
      },
      {
        competitor: syncProgram("bare-fiber", inFiber),
        name: "bare: `Effect.runSync(Effect.suspend(() => Effect.void))`",
        baseline: "",
        includes: "One fiber run that does nothing."
      },
      ...common(syncProgram, "bare-fiber")
    ],
    promise: [
      {
        competitor: async("bare-await", operation),
        name: "bare: `await fn()`",
        baseline: "",
        includes: "One async function call and its awaited promise."
      },
      {
        competitor: promiseProgram("bare-runPromise", Effect.void),
        name: "bare: `await Effect.runPromise(Effect.void)`",
        baseline: "",
        includes: "One fiber run, its promise and the microtask that settles it."
      },
      ...common(promiseProgram, "bare-runPromise"),
      {
        competitor: async("cockatiel", () => cockatiel.execute(operation)),
        name: `cockatiel \`bulkhead(${maxConcurrent}, ${maxQueued}).execute(fn)\``,
        baseline: "bare-await",
        includes: "`execute`'s async function around the call, its `try`/`finally` and a dequeue check."
      }
    ]
  }
}

const isRejection = (result: unknown): boolean =>
  Exit.isExit(result) && Exit.isFailure(result) && Bulkhead.isBulkheadRejected(Cause.squash(result.cause))

/** The full bulkheads of the rejection table, each with a call that holds its only slot until `release`. */
const rejections = () => {
  const fields = { maxConcurrent: 1, maxQueued: 0 }
  const shared = new Bulkhead.BulkheadRejected(fields)
  const holders: Array<Fiber.Fiber<unknown, unknown>> = []
  const full = (id: string, name: string | undefined): Competitor => {
    const { exit, fork } = runners()
    const bulkhead = makeBulkhead({ ...fields, name })
    holders.push(fork(bulkhead.run(Effect.never)))
    const program = bulkhead.run(Effect.void)
    return sync(id, isRejection, () => exit(program))
  }
  const semaphore = Semaphore.makeUnsafe(1)
  Effect.runSync(semaphore.take(1))
  const ifAvailable = semaphore.withPermitsIfAvailable(1)(Effect.void)
  const cockatiel = cockatielBulkhead(1, 0)
  let unblock = () => {}
  void cockatiel.execute(() => new Promise<void>((resolve) => unblock = resolve))
  const refused = () => cockatiel.execute(async () => {}).then(() => undefined, (error: unknown) => error)
  const { exit, sync: run } = runners()
  const failed = Effect.suspend(() => Effect.fail(shared))
  const entries: Array<Entry> = [
    {
      competitor: sync("shared", isRejection, () => exit(failed)),
      name: "bare: `Effect.runSyncExit` of `Effect.fail(rejection)`, one rejection made in advance",
      baseline: "",
      includes: "One fiber run that fails with an error built in advance, as a bulkhead's rejection is: its floor."
    },
    {
      competitor: sync("construct", Bulkhead.isBulkheadRejected, () => new Bulkhead.BulkheadRejected(fields)),
      name: "`new BulkheadRejected(…)` alone",
      baseline: "",
      includes: "The schema class constructor: field checks, and an `Error` with its captured stack; what a " +
        "rejection would add if it built its error per call."
    },
    {
      competitor: sync("error", (result) => result instanceof Error, () => new Error("full")),
      name: "`new Error(message)` alone",
      baseline: "",
      includes: "A plain error and its captured stack."
    },
    {
      competitor: full("unnamed", undefined),
      name: "ours: full `bulkhead.run(Effect.void)`, unnamed (`Effect.runSyncExit`)",
      baseline: "",
      includes: "The fiber run, the slot and queue checks, and the failure with the `BulkheadRejected` the " +
        "bulkhead built when it was made; nothing is built per call."
    },
    {
      competitor: full("named", "bench"),
      name: "ours, named: the same with metrics",
      baseline: "",
      includes: "As unnamed, plus the `rejected` counter."
    },
    {
      competitor: sync(
        "semaphore",
        (result) => Option.isOption(result) && Option.isNone(result),
        () => run(ifAvailable)
      ),
      name: "Effect `semaphore.withPermitsIfAvailable(1)(Effect.void)`, no permit free",
      baseline: "",
      includes: "The fiber run and the permit check; it refuses with `Option.none()`, so no error is built."
    },
    {
      competitor: { id: "cockatiel", check: (result) => result instanceof BulkheadRejectedError, async: refused },
      name: "cockatiel full `bulkhead(1, 0).execute(fn)` (awaited)",
      baseline: "",
      includes: "The reject event, a new `BulkheadRejectedError` with its stack, the rejected promise, awaited."
    }
  ]
  const release = async () => {
    for (const holder of holders) await Effect.runPromise(Fiber.interrupt(holder))
    unblock()
  }
  return { entries, release }
}

const rejectionTable = (list: ReadonlyArray<Entry>, stats: Map<string, Summary>): Table => ({
  id: "rejection",
  caption: "Rejection: a full bulkhead (`maxConcurrent: 1`, `maxQueued: 0`, the slot held by another call)",
  unit: "per call",
  kind: "time",
  columns: ["spread"],
  reference: { id: "unnamed", heading: "÷ ours" },
  rows: list.map((entry): Row => {
    const own = stats.get(entry.competitor.id)!
    const { competitor, name, includes } = entry
    return { id: competitor.id, name, figure: own.median, cells: [formatSpread(own)], includes }
  })
})

export const bulkhead: Case = {
  id: "bulkhead",
  title: "Bulkhead: overhead per pass with a free slot, and the cost of a rejection",
  run: async () => {
    const pass = passes()
    const refusal = rejections()
    const syncStats = await measure(pass.sync.map((entry) => entry.competitor), plan)
    const promiseStats = await measure(pass.promise.map((entry) => entry.competitor), plan)
    const rejectionStats = await measure(refusal.entries.map((entry) => entry.competitor), plan)
    await refusal.release()
    const workloads = (table: string, list: ReadonlyArray<Entry>) =>
      list.map((entry) => [`${table}/${entry.competitor.id}`, entry.competitor] as const)
    return {
      method: [
        `A pass: one call of \`Effect.void\` through a bulkhead of \`maxConcurrent: ${maxConcurrent}\`, ` +
        `\`maxQueued: ${maxQueued}\`, alone, so a slot is always free and nothing queues. The figure is the median ` +
        "time per call minus the median time of the bare call of the same kind: a fiber run that does nothing " +
        "for the Effect rows, an awaited async function for cockatiel. Effect programs are built once and run " +
        "many times. The named bulkhead records into a fresh `Metric.MetricRegistry`, as does every Effect row, " +
        "provided through the runner's context.",
        "A rejection: one call of `Effect.void` through a bulkhead whose one slot is held by a call that never " +
        "ends and which queues nothing. The figure is the median time per refused call, whole. Each bulkhead " +
        "builds its `BulkheadRejected` once, when it is made, and fails every refused call with it; the rows above " +
        "ours show that floor (a fiber run that fails with an error made in advance) and what building an error " +
        "per call would add, as cockatiel does."
      ],
      tables: [
        overheadTable("sync", "A pass, synchronous (`Effect.runSync`)", "overhead per pass", pass.sync, syncStats),
        overheadTable(
          "promise",
          "A pass, Promise-returning (every call awaited)",
          "overhead per pass",
          pass.promise,
          promiseStats
        ),
        rejectionTable(refusal.entries, rejectionStats)
      ],
      workloads: new Map([
        ...workloads("sync", pass.sync),
        ...workloads("promise", pass.promise),
        ...workloads("rejection", refusal.entries)
      ]),
      notes: [
        "Effect's semaphore has no queue bound: a call finding no permit waits, so `withPermitsIfAvailable` is its " +
        "nearest refusal, and it refuses with `Option.none()` rather than an error.",
        "The queueing path (a call that waits for a slot and is handed one) is not measured here."
      ]
    }
  }
}
