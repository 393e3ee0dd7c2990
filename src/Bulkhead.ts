/**
 * Bulkheads: a bound on how many calls run at once against one dependency, with a bounded queue in front of it.
 *
 * A `Bulkhead` admits at most `maxConcurrent` calls at a time and lets at most `maxQueued` more wait, first in,
 * first out. A call that finds every slot and every queue place taken fails at once with {@link BulkheadRejected},
 * without running, so an overloaded dependency sheds load instead of piling up fibers.
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { family } from "./internal/metric.ts"
import { RejectionTypeId } from "./internal/rejection.ts"
import { knownOptions, rangeError } from "./internal/validate.ts"

const RejectedTypeId = "~effect-resilience/BulkheadRejected"

/**
 * A concurrency limit with a FIFO queue, shared by every call that runs through it.
 *
 * **Details**
 *
 * - `run(effect)`: runs `effect` in a slot, in the caller's fiber. When no slot is free, the call waits in the
 *   queue; when the queue is full too, it fails at once with {@link BulkheadRejected} and `effect` never starts.
 *   The slot is freed the moment `effect` ends, whether it succeeds, fails, dies or is interrupted, and passes to
 *   the first waiter.
 * - `state`: the current counts, read in one step.
 * - `name`, `maxConcurrent`, `maxQueued`: the options the bulkhead was made with, after defaults.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Bulkhead } from "effect-resilience"
 *
 * declare const query: (sql: string) => Effect.Effect<ReadonlyArray<unknown>, Error>
 *
 * const program = Effect.gen(function*() {
 *   const bulkhead: Bulkhead.Bulkhead = yield* Bulkhead.make({ maxConcurrent: 10, maxQueued: 100 })
 *   return yield* bulkhead.run(query("select 1")) // Effect<ReadonlyArray<unknown>, Error | BulkheadRejected>
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Bulkhead {
  /** The name given to {@link make}, used as the `policy` label of its metrics; `undefined` when unnamed. */
  readonly name: string | undefined
  /** The most calls that run at once. */
  readonly maxConcurrent: number
  /** The most calls that wait for a slot; `0` when calls never wait, `Infinity` for an unbounded queue. */
  readonly maxQueued: number
  /** The number of calls holding a slot and the number waiting, read together. */
  readonly state: Effect.Effect<State>
  /** Runs an effect in a slot, waiting in the queue when needed, or fails with `BulkheadRejected` when full. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | BulkheadRejected, R>
}

/**
 * A snapshot of a bulkhead's occupancy.
 *
 * **Details**
 *
 * - `running`: calls holding a slot, at most `maxConcurrent`. A waiter counts as running from the moment a slot
 *   is handed to it, before its fiber resumes.
 * - `queued`: calls waiting for a slot, at most `maxQueued`. Waiters exist only while every slot is taken.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly running: number
  readonly queued: number
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The most calls that run at once: a positive integer. Required. */
  readonly maxConcurrent: number
  /** The most calls that wait for a slot: a non-negative integer, or `Infinity`. Defaults to 0. */
  readonly maxQueued?: number | undefined
  /** Names the bulkhead and turns on its metrics. Defaults to no name and no metrics. */
  readonly name?: string | undefined
}

/**
 * The failure of a call that a full bulkhead refused: every slot and every queue place was taken, so the call's
 * effect never ran.
 *
 * **Details**
 *
 * Carries the bulkhead's name (as `bulkhead`, absent when unnamed) and its limits. The tag `"BulkheadRejected"`
 * is distinct from anything a downstream can fail with: a rejection says the caller shed load, not that the
 * dependency failed, so error budgets and circuit breakers must not count it as a downstream failure.
 *
 * **Gotchas**
 *
 * A retry policy around a bulkhead retries rejections like any other failure, unless it is told not to (see the
 * example). Retrying a rejection at once adds load where there is already too much.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Bulkhead, Policy } from "effect-resilience"
 *
 * declare const bulkhead: Bulkhead.Bulkhead
 * declare const fetchPrice: Effect.Effect<number, Error>
 *
 * const policy = Policy.exponential({ maxRetries: 3 }).pipe(
 *   Policy.retryWhile((error: Error | Bulkhead.BulkheadRejected) => !Bulkhead.isBulkheadRejected(error))
 * )
 * const program = bulkhead.run(fetchPrice).pipe(
 *   Effect.retry(policy),
 *   Effect.catchTag("BulkheadRejected", () => Effect.succeed(0))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BulkheadRejected extends Schema.TaggedError<BulkheadRejected>()("BulkheadRejected", {
  bulkhead: Schema.optional(Schema.String),
  maxConcurrent: Schema.Number,
  maxQueued: Schema.Number
}) {
  /**
   * Brands rejections for {@link isBulkheadRejected}. A getter, so that it stays out of the error's JSON.
   *
   * @since 0.1.0
   */
  get [RejectedTypeId](): typeof RejectedTypeId {
    return RejectedTypeId
  }

  /** Marks the error as a rejection of this library's, never a failure of the downstream. */
  get [RejectionTypeId](): typeof RejectionTypeId {
    return RejectionTypeId
  }

  /**
   * Names the bulkhead and its limits; never anything about the call.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const which = this.bulkhead === undefined ? "Bulkhead" : `Bulkhead ${JSON.stringify(this.bulkhead)}`
    return `${which} is full (maxConcurrent ${this.maxConcurrent}, maxQueued ${this.maxQueued})`
  }
}

/**
 * Whether a value is a {@link BulkheadRejected}: the test budgets, breakers and retry classifiers use to leave the
 * bulkhead's own rejections out of what they count as downstream failures.
 *
 * **Example**
 *
 * ```ts
 * import { Bulkhead } from "effect-resilience"
 *
 * const isDownstreamFailure = (error: unknown): boolean => !Bulkhead.isBulkheadRejected(error)
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isBulkheadRejected = (u: unknown): u is BulkheadRejected => Predicate.hasProperty(u, RejectedTypeId)

// ---------------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------------

/**
 * Makes a bulkhead that runs at most `maxConcurrent` calls at once and queues at most `maxQueued` more.
 *
 * **When to use**
 *
 * In front of a dependency with limited capacity (a connection pool, a rate-limited API, a CPU-bound worker), so
 * that a slow or overloaded dependency holds a bounded number of fibers and excess calls fail fast.
 *
 * **Details**
 *
 * Defaults: `maxConcurrent` is required, `maxQueued` 0 (a call that finds every slot taken is rejected), no name.
 * `maxQueued: Infinity` is accepted when asked for explicitly. Waiters are served first in, first out. A waiter
 * that is interrupted leaves the queue at once and never runs; a slot handed to a waiter that is interrupted at
 * that same moment passes on to the next waiter, or back to the pool.
 *
 * Metrics, only when `name` is given (an unnamed bulkhead records nothing and pays nothing):
 *
 * - counter `resilience_bulkhead_calls_total{policy, outcome}`, outcome one of `admitted` (got a slot and
 *   started), `rejected` (refused at once, never ran), `abandoned` (interrupted while queued, never ran);
 * - gauges `resilience_bulkhead_running_calls{policy}` and `resilience_bulkhead_queued_calls{policy}`: the
 *   current {@link State}.
 *
 * Bad options raise a `RangeError` when `make` is called, before any effect runs: `maxConcurrent` must be a
 * positive integer, `maxQueued` a non-negative integer or `Infinity`, `name` a non-empty string.
 *
 * **Gotchas**
 *
 * - A bulkhead bounds only the calls that share it: make it once (for example in a `Layer`) and pass it around.
 *   Making one per request bounds nothing.
 * - Waiting has no time limit of its own. Bound it with `Effect.timeout` around `run`: the timeout interrupts the
 *   waiter, which frees its queue place.
 * - `maxQueued: Infinity` turns overload into unbounded memory and latency instead of rejections.
 * - Every rejection of one bulkhead is the same error object, built once with the bulkhead (so its stack trace is
 *   that of `make`): building an error per rejected call would cost most of the time a rejection takes, under
 *   overload.
 * - A call that runs through the same bulkhead again from inside a slot can wait forever once every slot is held
 *   by such calls.
 * - A retry inside `run` holds the slot through its sleeps; a retry around `run` waits in the queue again.
 * - The name becomes a metric label and identifies the gauges: give each bulkhead its own name, from a fixed set.
 *
 * **Example**
 *
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { Bulkhead } from "effect-resilience"
 *
 * class DatabaseBulkhead extends Context.Service<DatabaseBulkhead, Bulkhead.Bulkhead>()("app/DatabaseBulkhead") {
 *   static readonly layer = Layer.effect(
 *     DatabaseBulkhead,
 *     Bulkhead.make({ maxConcurrent: 10, maxQueued: 50, name: "database" })
 *   )
 * }
 *
 * declare const query: Effect.Effect<number, Error>
 *
 * const program = Effect.gen(function*() {
 *   const bulkhead = yield* DatabaseBulkhead
 *   return yield* bulkhead.run(query).pipe(Effect.timeout("2 seconds"))
 * }).pipe(Effect.provide(DatabaseBulkhead.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Bulkhead> => {
  const config = validate("Bulkhead.make", options)
  return Effect.sync(() => makeBulkhead(config))
}

// ---------------------------------------------------------------------------------------------------------------
// combinators
// ---------------------------------------------------------------------------------------------------------------

/**
 * Runs an effect through a bulkhead: `bulkhead.run(effect)` in data-first and pipeable forms.
 *
 * **Details**
 *
 * Adds exactly {@link BulkheadRejected} to the error type; the success and requirement types are unchanged.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Bulkhead } from "effect-resilience"
 *
 * declare const fetchUser: (id: string) => Effect.Effect<{ readonly id: string }, Error>
 *
 * const program = Effect.gen(function*() {
 *   const bulkhead = yield* Bulkhead.make({ maxConcurrent: 4, maxQueued: 16, name: "users" })
 *   return yield* Effect.forEach(
 *     ["a", "b", "c"],
 *     (id) => fetchUser(id).pipe(Bulkhead.withBulkhead(bulkhead)),
 *     { concurrency: "unbounded" }
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withBulkhead: {
  (bulkhead: Bulkhead): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | BulkheadRejected, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, bulkhead: Bulkhead): Effect.Effect<A, E | BulkheadRejected, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, bulkhead: Bulkhead): Effect.Effect<A, E | BulkheadRejected, R> =>
    bulkhead.run(self)
)

// ---------------------------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------------------------

interface Config {
  readonly name: string | undefined
  readonly maxConcurrent: number
  readonly maxQueued: number
}

const validate = (fn: string, options: Options): Config => {
  if (typeof options !== "object" || options === null) {
    throw rangeError(fn, "options", "an object { maxConcurrent, maxQueued?, name? }", options)
  }
  knownOptions(fn, options, ["maxConcurrent", "maxQueued", "name"])
  const { maxConcurrent, maxQueued = 0, name } = options
  if (typeof maxConcurrent !== "number" || !Number.isSafeInteger(maxConcurrent) || maxConcurrent < 1) {
    throw rangeError(fn, "maxConcurrent", "a positive integer", maxConcurrent)
  }
  const queueBound = maxQueued === Infinity || (Number.isSafeInteger(maxQueued) && maxQueued >= 0)
  if (typeof maxQueued !== "number" || !queueBound) {
    throw rangeError(fn, "maxQueued", "a non-negative integer, or Infinity for an unbounded queue", maxQueued)
  }
  if (name !== undefined && (typeof name !== "string" || name.length === 0)) {
    throw rangeError(fn, "name", "a non-empty string", name)
  }
  return { name, maxConcurrent, maxQueued }
}

// Every state change below happens in one synchronous step, so no interleaving of fibers can observe or leave a
// half-made change. Effect's Semaphore is not used: it cannot say how many fibers wait, and a permit it frees is
// not given to a waiter but taken when the waiter next runs, so counts read in between would not be exact.
const makeBulkhead = (config: Config): Bulkhead => {
  const { maxConcurrent, maxQueued, name } = config
  // Rejections happen under overload, when the process can least afford work: the error is built once, not per call.
  const rejected = Effect.fail(
    new BulkheadRejected(
      name === undefined ? { maxConcurrent, maxQueued } : { bulkhead: name, maxConcurrent, maxQueued }
    )
  )
  // Invariant: waiters exist only while running === maxConcurrent. A Set keeps insertion order and removes an
  // interrupted waiter from the middle in constant time.
  const waiters = new Set<Deferred.Deferred<void>>()
  let running = 0
  const readState = (): State => ({ running, queued: waiters.size })
  const telemetry = name === undefined ? undefined : makeTelemetry(name, readState)

  // Hands the slot straight to the first waiter, so `running` never dips while someone waits. Returns which count
  // changed: `queued` after a hand-over, `running` otherwise.
  const release = (): "running" | "queued" => {
    const next = first(waiters)
    if (next === undefined) {
      running--
      return "running"
    }
    waiters.delete(next)
    Deferred.doneUnsafe(next, Effect.void)
    return "queued"
  }

  const occupy = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.onExitPrimitive(effect, () => {
      const changed = release()
      return telemetry?.[changed]
    })

  // Telemetry runs inside the regions whose finalizers restore the state, so not even a defect in it can leak.
  const run = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | BulkheadRejected, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.suspend((): Effect.Effect<A, E | BulkheadRejected, R> => {
        if (running < maxConcurrent) {
          running++
          return occupy(after(telemetry?.admitted, restore(effect)))
        }
        if (waiters.size >= maxQueued) {
          return after(telemetry?.rejected, rejected)
        }
        const granted = Deferred.makeUnsafe<void>()
        waiters.add(granted)
        const wait = Effect.onExitPrimitive(after(telemetry?.queued, restore(Deferred.await(granted))), (exit) => {
          if (Exit.isSuccess(exit)) return undefined
          // Still queued: leave the queue. Handed a slot in the same instant: pass the slot on.
          if (!waiters.delete(granted)) release()
          return telemetry?.abandoned
        })
        // The releasing fiber resumes this one inline; yielding first keeps a chain of quick calls from nesting
        // one resumption inside another until the stack overflows. An interruption that arrives once the slot is
        // handed over fails `restore(effect)` before the effect starts, and `occupy` releases the slot.
        return wait.pipe(
          Effect.andThen(Effect.yieldNow),
          Effect.andThen(occupy(after(telemetry?.admittedFromQueue, restore(effect))))
        )
      })
    )

  return {
    name,
    maxConcurrent,
    maxQueued,
    state: Effect.sync(readState),
    run
  }
}

const after = <A, E, R>(first: Effect.Effect<void> | undefined, effect: Effect.Effect<A, E, R>) =>
  first === undefined ? effect : Effect.andThen(first, effect)

const first = <A>(set: Set<A>): A | undefined => {
  for (const value of set) return value
  return undefined
}

const metrics = {
  calls: family((attributes) =>
    Metric.counter("resilience_bulkhead_calls_total", {
      description: "Calls through a bulkhead, by outcome: admitted, rejected, or abandoned while queued",
      incremental: true,
      attributes
    })
  ),
  running: family((attributes) =>
    Metric.gauge("resilience_bulkhead_running_calls", {
      description: "Calls holding a slot of a bulkhead",
      attributes
    })
  ),
  queued: family((attributes) =>
    Metric.gauge("resilience_bulkhead_queued_calls", {
      description: "Calls waiting for a slot of a bulkhead",
      attributes
    })
  )
} as const

/** What a named bulkhead records after each change; each member writes the gauges whose count changed. */
interface Telemetry {
  readonly running: Effect.Effect<void>
  readonly queued: Effect.Effect<void>
  readonly admitted: Effect.Effect<void>
  readonly admittedFromQueue: Effect.Effect<void>
  readonly abandoned: Effect.Effect<void>
  readonly rejected: Effect.Effect<void>
}

// Labels are bound once per bulkhead. A gauge is written with the count read when the write runs, so the last
// write after any change carries the latest count, whatever order fibers run their writes in.
const makeTelemetry = (name: string, readState: () => State): Telemetry => {
  const runningGauge = metrics.running({ policy: name })
  const queuedGauge = metrics.queued({ policy: name })
  const count = (outcome: "admitted" | "rejected" | "abandoned") =>
    Metric.update(metrics.calls({ policy: name, outcome }), 1)
  const running = Effect.suspend(() => Metric.update(runningGauge, readState().running))
  const queued = Effect.suspend(() => Metric.update(queuedGauge, readState().queued))
  const admittedFromQueue = count("admitted")
  return {
    running,
    queued,
    admitted: Effect.andThen(admittedFromQueue, running),
    admittedFromQueue,
    // A waiter interrupted as a slot reached it may have changed `running` too.
    abandoned: count("abandoned").pipe(Effect.andThen(queued), Effect.andThen(running)),
    rejected: count("rejected")
  }
}
