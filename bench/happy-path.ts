/**
 * Case: the happy path. An operation that succeeds at once, through each library's retry wrapper, against the same
 * operation called bare. The figure is the overhead: median time per wrapped call minus median time per bare call.
 */
import { ExponentialBackoff, handleAll, noJitterGenerator, retry } from "cockatiel"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import pRetry from "p-retry"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { isValue, operations, retryAsync, retrySync } from "./fixtures.ts"
import { type Competitor, measure, type Plan } from "./harness.ts"
import type { Case } from "./model.ts"
import { type Entry, overheadTable } from "./overhead.ts"

const maxRetries = 3
const plan: Plan = { rounds: 20, roundMillis: 25, batchMicros: 200 }

const entries = (): { readonly sync: Array<Entry>; readonly promise: Array<Entry> } => {
  const op = operations(0)
  const effectSchedule = Schedule.exponential("100 millis").pipe(Schedule.upTo({ times: maxRetries }))
  const effectBoth = Schedule.max([Schedule.exponential("100 millis"), Schedule.recurs(maxRetries)])
  const ours = Policy.exponential({ base: "100 millis", jitter: Jitter.none, maxRetries })
  const effectProgram = Effect.retry(op.effect, effectSchedule)
  const effectBothProgram = Effect.retry(op.effect, effectBoth)
  const oursProgram = Effect.retry(op.effect, ours)
  const cockatiel = retry(handleAll, {
    maxAttempts: maxRetries,
    backoff: new ExponentialBackoff({ initialDelay: 100, generator: noJitterGenerator })
  })
  const pRetryOptions = { retries: maxRetries, minTimeout: 100, factor: 2 }
  const sync = (id: string, call: () => unknown): Competitor => ({ id, check: isValue, sync: call })
  const async = (id: string, call: () => Promise<unknown>): Competitor => ({ id, check: isValue, async: call })
  return {
    sync: [
      {
        competitor: sync("bare-function", op.sync),
        name: "bare: `op()`",
        baseline: "",
        includes: "One call of a plain function."
      },
      {
        competitor: sync("bare-runSync", () => Effect.runSync(op.effect)),
        name: "bare: `Effect.runSync(op)`",
        baseline: "",
        includes: "One fiber run of the operation, no retry."
      },
      {
        competitor: sync("hand", () => retrySync(op.sync, maxRetries)),
        name: "hand-written loop (sync)",
        baseline: "bare-function",
        includes: "A `for` loop with `try`/`catch` around the call."
      },
      {
        competitor: sync("effect", () => Effect.runSync(effectProgram)),
        name: "Effect.retry + `exponential` with `upTo({ times: 3 })`",
        baseline: "bare-runSync",
        includes: "Building the schedule's step state per run (`toStepWithMetadata`), the retry loop's error handler."
      },
      {
        competitor: sync("effect-max", () => Effect.runSync(effectBothProgram)),
        name: "Effect.retry + `max([exponential, recurs(3)])`",
        baseline: "bare-runSync",
        includes: "As above, with two child schedules initialised through `Effect.all` per run."
      },
      {
        competitor: sync("ours", () => Effect.runSync(oursProgram)),
        name: "ours: Effect.retry + `Policy.exponential`",
        baseline: "bare-runSync",
        includes: "As Effect's, plus one read of the fiber's `Clock` and `Random` per run; the driver is built only " +
          "on the first failure."
      }
    ],
    promise: [
      {
        competitor: async("bare-await", () => op.async()),
        name: "bare: `await op()`",
        baseline: "",
        includes: "One async function call and its awaited promise."
      },
      {
        competitor: async("bare-runPromise", () => Effect.runPromise(op.effect)),
        name: "bare: `await Effect.runPromise(op)`",
        baseline: "",
        includes: "One fiber run, its promise and the microtask that settles it."
      },
      {
        competitor: async("hand-async", () => retryAsync(op.async, maxRetries, 100)),
        name: "hand-written loop (async)",
        baseline: "bare-await",
        includes: "An async `for` loop with `try`/`catch`; one more promise than the bare call."
      },
      {
        competitor: async("effect", () => Effect.runPromise(effectProgram)),
        name: "Effect.retry + `exponential` with `upTo` (runPromise)",
        baseline: "bare-runPromise",
        includes: "As in the synchronous table."
      },
      {
        competitor: async("ours", () => Effect.runPromise(oursProgram)),
        name: "ours: Effect.retry + `Policy.exponential` (runPromise)",
        baseline: "bare-runPromise",
        includes: "As in the synchronous table."
      },
      {
        competitor: async("cockatiel", () => cockatiel.execute(op.async)),
        name: "cockatiel `retry(handleAll, …).execute`",
        baseline: "bare-await",
        includes: "`execute`'s async loop, the executor's result object and success event, two extra awaits."
      },
      {
        competitor: async("p-retry", () => pRetry(op.async, pRetryOptions)),
        name: "p-retry `pRetry(op, …)`",
        baseline: "bare-await",
        includes: "Copying and validating the options on every call, then one awaited attempt."
      }
    ]
  }
}

export const happyPath: Case = {
  id: "happy-path",
  title: "Happy path: overhead of the retry wrapper when the first attempt succeeds",
  run: async () => {
    const { sync, promise } = entries()
    const syncStats = await measure(sync.map((entry) => entry.competitor), plan)
    const promiseStats = await measure(promise.map((entry) => entry.competitor), plan)
    return {
      method: [
        `Every wrapper allows ${maxRetries} retries with an exponential backoff from 100 ms (no jitter) and wraps an ` +
        "operation that succeeds at once. The figure is the median time per wrapped call minus the median time " +
        "per bare call of the same kind, so it is what the wrapper adds.",
        "Effect programs are built once and run many times, as an application would; each run starts the schedule " +
        "afresh. The synchronous table runs them with `Effect.runSync`. The Promise table awaits every call: those " +
        "figures include at least one microtask turn per call, inherent to any Promise-returning API, and compare " +
        "Effect's `runPromise` with the Promise-based libraries on equal terms."
      ],
      tables: [
        overheadTable("sync", "Synchronous (`Effect.runSync`, plain calls)", "overhead per call", sync, syncStats),
        overheadTable("promise", "Promise-returning (every call awaited)", "overhead per call", promise, promiseStats)
      ],
      workloads: new Map([
        ...sync.map((entry) => [`sync/${entry.competitor.id}`, entry.competitor] as const),
        ...promise.map((entry) => [`promise/${entry.competitor.id}`, entry.competitor] as const)
      ]),
      notes: [
        "effect 4.1.5 has no `Schedule.both`; `Schedule.max([a, b])` is its equivalent (recurs while both recur, " +
        "waits the longer delay). `upTo({ times })` bounds one schedule and is cheaper, so it is the baseline the " +
        "target uses; the `max` form is listed for reference."
      ]
    }
  }
}
