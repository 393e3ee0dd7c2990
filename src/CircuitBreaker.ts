/**
 * Circuit breakers: stop calling a dependency that is failing, give it time to recover, then let a few probe calls
 * test it before traffic resumes.
 *
 * A `CircuitBreaker` guards one dependency. While its circuit is **closed**, calls run and their outcomes are
 * counted; when failures cross the trip policy's threshold the circuit **opens** and every call fails at once with
 * {@link CircuitOpen}, without running. After `breakDuration` the next calls are **half-open** probes; enough
 * successful probes close the circuit, a failed one opens it again. {@link CircuitBreaker.isolate} holds it open by
 * hand (**isolated**) until {@link CircuitBreaker.reset}.
 *
 * **What follows Effect's own breaker, and what is ours**
 *
 * Effect 4 ships a breaker in `effect/persistence` (`CircuitBreaker`). This module keeps its model where it fits:
 * the consecutive-failures trip policy, a half-open state entered on the first call after the break, outcomes of
 * calls admitted before a transition dropped rather than counted against the new state, interrupted probes freeing
 * their place, transitions as a `Stream`, the logic kept apart from the store that holds the state, and a rejection
 * that says how long to wait. It shares no code with it. What differs, and why:
 *
 * - **Time-based failure ratio.** Effect's rate policy looks at the last N outcomes whatever their age, so a burst
 *   of failures long ago still counts when traffic resumes. Here the default policy is Polly's, also the default of
 *   .NET's standard HTTP pipeline: a failure ratio over a sampling duration, with a minimum throughput, counted in
 *   time buckets that expire completely once the sampling duration has passed, however little traffic there was.
 * - **Slow calls** can count as failures (resilience4j's model), so a dependency that slows down trips the circuit
 *   before it fails outright.
 * - **Several probes** may run at once (`halfOpenMaxProbes`), and a probe holds its place for at most one break
 *   duration, so a probe that never ends cannot keep the circuit half-open for ever.
 * - **Manual control** (`isolate`, `reset`), **classification** with `isFailure`, and the rule that this library's
 *   own rejections (`Classify.isRejection`) never count as failures of the dependency.
 * - **Metrics** through Effect's `Metric`, under the project's telemetry scheme, when the breaker is named.
 * - **One breaker, one circuit**: a value like a `Bulkhead`, made with {@link make}, needing no service or scope.
 *   Effect's breaker keys many circuits by name behind one service.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as PubSub from "effect/PubSub"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Machine from "./internal/breaker.ts"
import { family } from "./internal/metric.ts"
import { CircuitOpenTypeId, isRejection, RejectionTypeId } from "./internal/rejection.ts"
import { durationMillis, knownOptions, rangeError } from "./internal/validate.ts"

/**
 * A circuit breaker in front of one dependency, shared by every call to it.
 *
 * **Details**
 *
 * - `run(effect)`: runs `effect` in the caller's fiber when the circuit admits it and records its outcome; when
 *   the circuit is open, half-open with every probe place taken, or isolated, fails at once with
 *   {@link CircuitOpen} and `effect` never starts.
 * - `state`: the circuit and its counts, read in one step.
 * - `transitions`: every transition this breaker makes, from the moment a consumer starts reading.
 * - `isolate`: holds the circuit open until `reset`, whatever the outcomes.
 * - `reset`: closes the circuit and forgets every recorded outcome.
 * - `name`, `settings`: the options the breaker was made with, after defaults, durations in milliseconds.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { CircuitBreaker } from "effect-resilience"
 *
 * declare const charge: Effect.Effect<string, Error>
 *
 * const program = Effect.gen(function*() {
 *   const breaker: CircuitBreaker.CircuitBreaker = yield* CircuitBreaker.make({ name: "payments" })
 *   return yield* breaker.run(charge) // Effect<string, Error | CircuitOpen>
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreaker {
  /** The name given to {@link make}, used as the `policy` label of its metrics; `undefined` when unnamed. */
  readonly name: string | undefined
  /** The options after defaults, durations in milliseconds. */
  readonly settings: Settings
  /** Runs an effect when the circuit admits it, or fails with `CircuitOpen` at once. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | CircuitOpen, R>
  /** The circuit and its counts, read in one step. */
  readonly state: Effect.Effect<State>
  /** The transitions this breaker makes, in order, from the moment the stream starts. It never ends by itself. */
  readonly transitions: Stream.Stream<Transition>
  /** Holds the circuit open, rejecting every call, until `reset`. Does nothing when already isolated. */
  readonly isolate: Effect.Effect<void>
  /** Closes the circuit and forgets every recorded outcome, from any state. */
  readonly reset: Effect.Effect<void>
}

/**
 * The four states of a circuit.
 *
 * - `"closed"`: calls run and are counted.
 * - `"open"`: calls are rejected until `breakDuration` has passed since the circuit opened.
 * - `"half-open"`: at most `halfOpenMaxProbes` calls run at once as probes; others are rejected.
 * - `"isolated"`: opened by hand with `isolate`; calls are rejected until `reset`.
 *
 * @since 0.1.0
 * @category models
 */
export type Circuit = "closed" | "open" | "half-open" | "isolated"

/**
 * A snapshot of a circuit.
 *
 * **Details**
 *
 * - `circuit`: the current {@link Circuit}. An open circuit whose break has elapsed reads as `"open"` with a
 *   `retryAfter` of zero until the next call turns it half-open.
 * - `calls`, `failures`: the outcomes that count toward the trip policy, slow calls among the failures. Under the
 *   failure-ratio policy, those within the sampling window; under the consecutive policy, those since the circuit
 *   last closed or was reset. Zero outside the closed state: every transition starts the counts afresh.
 * - `consecutiveFailures`: failures since the last success, while closed.
 * - `probes`: probes holding a place, while half-open; `probeSuccesses`: probes that succeeded since the circuit
 *   turned half-open.
 * - `retryAfter`: how long until the circuit may admit a probe: the rest of the break while open, infinity while
 *   isolated, until the earliest probe's place lapses while half-open with every place taken, zero otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly circuit: Circuit
  readonly calls: number
  readonly failures: number
  readonly consecutiveFailures: number
  readonly probes: number
  readonly probeSuccesses: number
  readonly retryAfter: Duration.Duration
}

/**
 * A change of state, as `transitions` delivers it.
 *
 * **Details**
 *
 * `at` is the time of the change in epoch milliseconds, from Effect's `Clock`. `reason` says what caused it:
 *
 * | reason | from | to |
 * |---|---|---|
 * | `"failure-ratio"` | closed | open |
 * | `"consecutive-failures"` | closed | open |
 * | `"break-elapsed"` | open | half-open |
 * | `"probe-failed"` | half-open | open |
 * | `"probes-succeeded"` | half-open | closed |
 * | `"isolated"` | closed, open or half-open | isolated |
 * | `"reset"` | open, half-open or isolated | closed |
 *
 * @since 0.1.0
 * @category models
 */
export interface Transition {
  readonly from: Circuit
  readonly to: Circuit
  readonly reason:
    | "failure-ratio"
    | "consecutive-failures"
    | "break-elapsed"
    | "probe-failed"
    | "probes-succeeded"
    | "isolated"
    | "reset"
  readonly at: number
}

/**
 * Options common to both trip policies.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommonOptions {
  /** How long the circuit stays open before the next call may probe: a positive duration. Defaults to 5 seconds. */
  readonly breakDuration?: Duration.Input | undefined
  /**
   * Probes that may run at once while half-open, and the successful probes that close the circuit: a positive
   * integer. Defaults to 1.
   */
  readonly halfOpenMaxProbes?: number | undefined
  /** A call that runs longer than this counts as a failure: a positive duration. Defaults to none. */
  readonly slowCallDuration?: Duration.Input | undefined
  /**
   * Which typed failures count against the dependency. Defaults to every one. A failure it rejects counts as a
   * success: the dependency answered.
   */
  readonly isFailure?: ((error: unknown) => boolean) | undefined
  /** Names the breaker and turns on its metrics. Defaults to no name and no metrics. */
  readonly name?: string | undefined
  /** Where the circuit's state lives. Defaults to a new in-memory store, private to this breaker. */
  readonly store?: Store | undefined
}

/**
 * Options of the failure-ratio trip policy (Polly's model), the default.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailureRatioOptions extends CommonOptions {
  readonly trip?: "failure-ratio" | undefined
  /** The share of failures that opens the circuit, in (0, 1]. Defaults to 0.1. */
  readonly failureRatio?: number | undefined
  /** How far back outcomes count: a positive duration. Defaults to 30 seconds. */
  readonly samplingDuration?: Duration.Input | undefined
  /** The fewest outcomes within the sampling duration for the ratio to open the circuit. Defaults to 100. */
  readonly minimumThroughput?: number | undefined
}

/**
 * Options of the consecutive-failures trip policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConsecutiveOptions extends CommonOptions {
  readonly trip: "consecutive"
  /** The failures in a row, with no success between them, that open the circuit: a positive integer. Required. */
  readonly failures: number
}

/**
 * Options of {@link make}: one of the two trip policies, with the common options.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = FailureRatioOptions | ConsecutiveOptions

const OpenTypeId = "~effect-resilience/CircuitOpen-error"

/**
 * The failure of a call that the circuit refused: it was open, half-open with every probe place taken, or
 * isolated, so the call's effect never ran.
 *
 * **Details**
 *
 * - `breaker`: the breaker's name, absent when unnamed.
 * - `circuit`: `"open"`, `"half-open"` or `"isolated"`.
 * - `retryAfter`: how long until the circuit may admit a probe. While open, the rest of the break. While
 *   half-open with every probe place taken, the time until the earliest probe's place lapses (a probe holds it for
 *   one break at most): an upper bound, since a probe that ends sooner decides the circuit sooner. While isolated,
 *   infinity: only `reset` closes it.
 *
 * A rejection says the caller held back, not that the dependency failed: it carries this library's rejection mark,
 * so retry budgets and other breakers never count it (`Classify.isRejection` is true), and a retry policy waits
 * out `retryAfter` within its limits or stops with `"circuit-open"`.
 *
 * **Example**
 *
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { CircuitBreaker } from "effect-resilience"
 *
 * declare const breaker: CircuitBreaker.CircuitBreaker
 * declare const fetchPrice: Effect.Effect<number, Error>
 *
 * const program = breaker.run(fetchPrice).pipe(
 *   Effect.catchTag("CircuitOpen", (open) =>
 *     Effect.logInfo(`pricing unavailable for ${Duration.format(open.retryAfter)}`).pipe(Effect.as(0)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CircuitOpen extends Schema.TaggedError<CircuitOpen>()("CircuitOpen", {
  breaker: Schema.optional(Schema.String),
  circuit: Schema.Literals(["open", "half-open", "isolated"]),
  retryAfter: Schema.Duration
}) {
  /**
   * Brands rejections for {@link isCircuitOpen}. A getter, so that it stays out of the error's JSON.
   *
   * @since 0.1.0
   */
  get [OpenTypeId](): typeof OpenTypeId {
    return OpenTypeId
  }

  /** Marks the error as a rejection of this library's, never a failure of the downstream. */
  get [RejectionTypeId](): typeof RejectionTypeId {
    return RejectionTypeId
  }

  /** The milliseconds until the circuit may admit a probe, read by retry policies. */
  get [CircuitOpenTypeId](): number {
    return Duration.toMillis(this.retryAfter)
  }

  /**
   * Names the breaker, its state and the wait; never anything about the call.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const which = this.breaker === undefined ? "Circuit" : `Circuit ${JSON.stringify(this.breaker)}`
    switch (this.circuit) {
      case "open":
        return `${which} is open; a probe may run in ${Duration.toMillis(this.retryAfter)} ms`
      case "half-open":
        return `${which} is half-open and every probe place is taken`
      case "isolated":
        return `${which} is isolated until reset`
    }
  }
}

/**
 * Whether a value is a {@link CircuitOpen}.
 *
 * **Example**
 *
 * ```ts
 * import { CircuitBreaker } from "effect-resilience"
 *
 * const isDownstreamFailure = (error: unknown): boolean => !CircuitBreaker.isCircuitOpen(error)
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isCircuitOpen = (u: unknown): u is CircuitOpen => Predicate.hasProperty(u, OpenTypeId)

// ---------------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------------

/**
 * Makes a circuit breaker.
 *
 * **When to use**
 *
 * In front of a dependency that can fail for a while (a remote service, a database), so that callers fail fast
 * while it is down instead of piling up, and the dependency gets room to recover.
 *
 * **Details**
 *
 * Trip policies:
 *
 * - `trip: "failure-ratio"` (the default, Polly's model): the circuit opens when a failure brings the failures to
 *   at least `failureRatio` of the outcomes recorded within the last `samplingDuration`, once there are at least
 *   `minimumThroughput` of them. Defaults are Polly's, which .NET's standard HTTP pipeline also uses: ratio 0.1,
 *   sampling 30 s, minimum throughput 100. Outcomes are counted in ten buckets of `samplingDuration / 10`, so the
 *   window slides in tenths: an outcome counts for at least nine tenths of `samplingDuration` and less than all of
 *   it, whatever the traffic before or after it.
 * - `trip: "consecutive"`: the circuit opens after `failures` failures in a row, in order of completion. Only a
 *   success ends a streak; time does not.
 *
 * Only a failure opens the circuit, never a success. Once open, calls are rejected for `breakDuration` (default
 * 5 s); then the next call turns the circuit half-open and runs as a probe. At most `halfOpenMaxProbes` (default 1)
 * probes run at once; the circuit closes once that many have succeeded, and opens again at the first probe that
 * fails. A probe holds its place for at most `breakDuration`: past that, the next call may probe in its place,
 * and the late probe's outcome still counts if the circuit is still half-open.
 *
 * How each call counts:
 *
 * | the call | counts as |
 * |---|---|
 * | succeeds | a success |
 * | runs longer than `slowCallDuration` (unless interrupted) | a failure, whatever its result |
 * | dies (a defect) | a failure: a rejected `Effect.promise` or a thrown exception surfaces as one |
 * | fails with a rejection of this library's (`Classify.isRejection`) | nothing |
 * | fails with an error `isFailure` accepts (by default, any) | a failure |
 * | fails with an error `isFailure` rejects | a success: the dependency answered (Polly and resilience4j agree) |
 * | is interrupted | nothing; a probe frees its place |
 *
 * An outcome changes the circuit only if no transition or reset happened since the call was admitted: a call
 * admitted while closed that ends after the circuit opened, or a probe that ends after `isolate`, `reset` or
 * another probe's failure, is dropped.
 *
 * Metrics, only when `name` is given (an unnamed breaker records nothing and pays nothing):
 *
 * - counter `resilience_breaker_calls_total{policy, outcome}`, outcome one of `success`, `failure`, `rejected`
 *   (refused, never ran) and `ignored` (interrupted, or failed with a rejection), counted whether or not the
 *   outcome changed the circuit;
 * - counter `resilience_breaker_transitions_total{policy, from, to}`;
 * - gauge `resilience_breaker_state{policy}`: 0 closed, 1 half-open, 2 open, 3 isolated (the order of severity).
 *
 * A named breaker also logs each transition at Debug, annotated with `policy`, `from`, `to` and `reason`.
 *
 * Bad options raise a `RangeError` when `make` is called, before any effect runs, naming the option, the allowed
 * range and the value received.
 *
 * **Gotchas**
 *
 * - A breaker protects only the calls that share it: make it once (in a `Layer`, say) and pass it around.
 * - Put retries and attempt timeouts inside or outside with care. A retry *inside* `run` makes one outcome of all
 *   its attempts. An `Effect.timeout` *outside* interrupts the call, which then counts as nothing; a
 *   `Timeout.attempt` *inside* fails with a rejection of this library's, which counts as nothing too, unless
 *   `slowCallDuration` is shorter than the timeout: then the timed-out call counts as slow.
 * - An `isFailure` that throws makes the call count as nothing, and the call dies with what it threw; its own
 *   failure becomes a defect beside it, as with any failing finalizer.
 * - The name becomes a metric label: give each breaker its own, from a fixed set.
 *
 * **Example**
 *
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { CircuitBreaker, Classify } from "effect-resilience"
 *
 * class InventoryBreaker extends Context.Service<InventoryBreaker, CircuitBreaker.CircuitBreaker>()(
 *   "app/InventoryBreaker"
 * ) {
 *   static readonly layer = Layer.effect(
 *     InventoryBreaker,
 *     CircuitBreaker.make({
 *       name: "inventory",
 *       failureRatio: 0.5,
 *       samplingDuration: "10 seconds",
 *       minimumThroughput: 20,
 *       breakDuration: "15 seconds",
 *       slowCallDuration: "2 seconds",
 *       isFailure: Classify.isTransientHttpError
 *     })
 *   )
 * }
 *
 * declare const stock: (sku: string) => Effect.Effect<number, Error>
 *
 * const program = Effect.gen(function*() {
 *   const breaker = yield* InventoryBreaker
 *   return yield* breaker.run(stock("sku-42"))
 * }).pipe(Effect.provide(InventoryBreaker.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<CircuitBreaker> => {
  const config = validate("CircuitBreaker.make", options)
  return Effect.gen(function*() {
    const store = config.store ?? (yield* makeMemoryStore())
    const pubsub = yield* PubSub.unbounded<Transition>()
    const now = yield* Effect.clockWith((clock) => Effect.succeed(clock.currentTimeMillisUnsafe()))
    const initial = yield* store.state(config.settings, now)
    const breaker = makeBreaker(config, store, pubsub, initial.circuit)
    yield* breaker.telemetry?.init ?? Effect.void
    return breaker.breaker
  })
}

// ---------------------------------------------------------------------------------------------------------------
// combinators
// ---------------------------------------------------------------------------------------------------------------

/**
 * Runs an effect through a circuit breaker: `breaker.run(effect)` in data-first and pipeable forms.
 *
 * **Details**
 *
 * Adds exactly {@link CircuitOpen} to the error type; the success and requirement types are unchanged.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { CircuitBreaker, Policy } from "effect-resilience"
 *
 * declare const breaker: CircuitBreaker.CircuitBreaker
 * declare const search: (query: string) => Effect.Effect<ReadonlyArray<string>, Error>
 *
 * // Each attempt goes through the breaker; an open circuit is waited out within the policy's limits.
 * const program = search("effect").pipe(
 *   CircuitBreaker.withBreaker(breaker),
 *   Effect.retry(Policy.exponential({ maxRetries: 3 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withBreaker: {
  (breaker: CircuitBreaker): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | CircuitOpen, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, breaker: CircuitBreaker): Effect.Effect<A, E | CircuitOpen, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, breaker: CircuitBreaker): Effect.Effect<A, E | CircuitOpen, R> =>
    breaker.run(self)
)

// ---------------------------------------------------------------------------------------------------------------
// store
// ---------------------------------------------------------------------------------------------------------------

/**
 * Where a circuit's state lives, and the operations a breaker applies to it. The in-memory store is
 * {@link makeMemoryStore}; a shared store (Redis) can implement the same interface, so that processes share one
 * circuit, without any change to the code that makes and uses breakers.
 *
 * **Details**
 *
 * Each operation is atomic with respect to the others and takes the breaker's {@link Settings} and `now`, epoch
 * milliseconds from Effect's `Clock`:
 *
 * - `acquire`: admits a call, with a {@link Permit}, or rejects it with the circuit and the milliseconds until a
 *   probe may run. An open circuit past its break turns half-open here.
 * - `record`: records the outcome of an admitted call, given its permit back.
 * - `isolate`, `reset`: the manual transitions.
 * - `state`: reads the circuit's figures.
 *
 * Operations that change state report each transition they make to `onTransition`, synchronously and in the order
 * they happen, before their effect completes: that is how a breaker's `transitions` stream and metrics keep the
 * order of events.
 *
 * **Gotchas**
 *
 * A store holds one circuit. Breakers that share a store share that circuit, and must be made with the same trip
 * settings; nothing checks that they are. Each breaker only reports the transitions it made itself.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { CircuitBreaker } from "effect-resilience"
 *
 * // Two breakers, one circuit: a trip seen by either rejects calls through both.
 * const program = Effect.gen(function*() {
 *   const store = yield* CircuitBreaker.makeMemoryStore()
 *   const reads = yield* CircuitBreaker.make({ trip: "consecutive", failures: 5, store })
 *   const writes = yield* CircuitBreaker.make({ trip: "consecutive", failures: 5, store })
 *   return [reads, writes] as const
 * })
 * ```
 *
 * @since 0.1.0
 * @category store
 */
export interface Store {
  readonly acquire: (request: Request) => Effect.Effect<Admission>
  readonly record: (request: Request & { readonly permit: Permit; readonly outcome: Outcome }) => Effect.Effect<void>
  readonly isolate: (request: Request) => Effect.Effect<void>
  readonly reset: (request: Request) => Effect.Effect<void>
  readonly state: (settings: Settings, now: number) => Effect.Effect<State>
}

/**
 * What every state-changing {@link Store} operation receives.
 *
 * @since 0.1.0
 * @category store
 */
export interface Request {
  readonly settings: Settings
  readonly now: number
  readonly onTransition: (transition: Transition) => void
}

/**
 * A breaker's options after defaults and validation, durations in milliseconds: what {@link Store} operations need
 * to apply the trip policy.
 *
 * @since 0.1.0
 * @category store
 */
export type Settings =
  & (
    | {
      readonly trip: "failure-ratio"
      readonly failureRatio: number
      readonly samplingDuration: number
      readonly minimumThroughput: number
    }
    | { readonly trip: "consecutive"; readonly failures: number }
  )
  & {
    readonly breakDuration: number
    readonly halfOpenMaxProbes: number
    readonly slowCallDuration: number | undefined
  }

/**
 * A store's answer to `acquire`: a permit to run, or a rejection with the milliseconds until a probe may run
 * (`Infinity` while isolated).
 *
 * @since 0.1.0
 * @category store
 */
export type Admission =
  | { readonly _tag: "Admitted"; readonly permit: Permit }
  | { readonly _tag: "Rejected"; readonly circuit: "open" | "half-open" | "isolated"; readonly retryAfter: number }

/**
 * A store's token for an admitted call, handed back with its outcome: the generation of the circuit that admitted
 * it (any transition or reset starts a new one) and, for a probe, its id.
 *
 * @since 0.1.0
 * @category store
 */
export interface Permit {
  readonly generation: number
  readonly probe: number | undefined
}

/**
 * How a call counts: `"success"`, `"failure"` (slow calls included), or `"ignored"` (interrupted, or failed with a
 * rejection of this library's), which frees a probe's place and changes nothing else.
 *
 * @since 0.1.0
 * @category store
 */
export type Outcome = "success" | "failure" | "ignored"

/**
 * A store that keeps one circuit in this process's memory.
 *
 * **Details**
 *
 * Every operation is a single synchronous step, so concurrent fibers never interleave inside one. {@link make}
 * makes one for each breaker given no `store`; make one yourself only to share a circuit between breakers.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { CircuitBreaker } from "effect-resilience"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* CircuitBreaker.makeMemoryStore()
 *   return yield* CircuitBreaker.make({ store, name: "search" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category store
 */
export const makeMemoryStore = (): Effect.Effect<Store> =>
  Effect.sync(() => {
    let data = Machine.initial
    return {
      acquire: ({ now, onTransition, settings }) =>
        Effect.sync(() => {
          const [admission, next] = Machine.acquire(settings, data, now, onTransition)
          data = next
          return admission
        }),
      record: ({ now, onTransition, outcome, permit, settings }) =>
        Effect.sync(() => {
          data = Machine.record(settings, data, permit, outcome, now, onTransition)
        }),
      isolate: ({ now, onTransition, settings }) =>
        Effect.sync(() => {
          data = Machine.isolate(settings, data, now, onTransition)
        }),
      reset: ({ now, onTransition, settings }) =>
        Effect.sync(() => {
          data = Machine.reset(settings, data, now, onTransition)
        }),
      state: (settings, now) => Effect.sync(() => toState(Machine.figures(settings, data, now)))
    }
  })

// ---------------------------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------------------------

const toDuration = (millis: number): Duration.Duration =>
  millis === Infinity ? Duration.infinity : Duration.millis(millis)

const toState = (figures: Machine.Figures): State => ({ ...figures, retryAfter: toDuration(figures.retryAfter) })

interface Config {
  readonly name: string | undefined
  readonly settings: Settings
  readonly isFailure: (error: unknown) => boolean
  readonly store: Store | undefined
}

const everyFailure = () => true

/** Every option of either trip policy, read before the policy is known. */
type Loose = Partial<Omit<FailureRatioOptions, "trip"> & Omit<ConsecutiveOptions, "trip">> & { readonly trip?: unknown }

const validate = (fn: string, options: Options | undefined): Config => {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw rangeError(fn, "options", "an object, or undefined for the defaults", options)
  }
  const given: Loose = options ?? {}
  knownOptions(fn, given, [
    "trip",
    "failureRatio",
    "samplingDuration",
    "minimumThroughput",
    "failures",
    "breakDuration",
    "halfOpenMaxProbes",
    "slowCallDuration",
    "isFailure",
    "name",
    "store"
  ])
  const { breakDuration = 5_000, halfOpenMaxProbes = 1, isFailure = everyFailure, name, slowCallDuration, store } =
    given
  const trip = given.trip ?? "failure-ratio"
  if (trip !== "failure-ratio" && trip !== "consecutive") {
    throw rangeError(fn, "trip", `"failure-ratio" or "consecutive"`, trip)
  }
  const common = {
    breakDuration: positiveMillis(fn, "breakDuration", breakDuration),
    halfOpenMaxProbes: positiveInteger(fn, "halfOpenMaxProbes", halfOpenMaxProbes),
    slowCallDuration: slowCallDuration === undefined
      ? undefined
      : positiveMillis(fn, "slowCallDuration", slowCallDuration)
  }
  if (typeof isFailure !== "function") throw rangeError(fn, "isFailure", "a function", isFailure)
  if (name !== undefined && (typeof name !== "string" || name.length === 0)) {
    throw rangeError(fn, "name", "a non-empty string", name)
  }
  const storeOperations = ["acquire", "record", "isolate", "reset", "state"] as const
  if (store !== undefined && !storeOperations.every((op) => typeof store?.[op] === "function")) {
    throw rangeError(fn, "store", "a CircuitBreaker.Store", store)
  }
  if (trip === "consecutive") {
    for (const option of ["failureRatio", "samplingDuration", "minimumThroughput"] as const) {
      if (given[option] !== undefined) throw rangeError(fn, option, `absent with trip "consecutive"`, given[option])
    }
    const failures = positiveInteger(fn, "failures", given.failures!)
    return { name, isFailure, store, settings: { trip, failures, ...common } }
  }
  if (given.failures !== undefined) throw rangeError(fn, "failures", `absent with trip "failure-ratio"`, given.failures)
  const { failureRatio = 0.1, minimumThroughput = 100, samplingDuration = 30_000 } = given
  if (typeof failureRatio !== "number" || !(failureRatio > 0 && failureRatio <= 1)) {
    throw rangeError(fn, "failureRatio", "a number in (0, 1]", failureRatio)
  }
  const settings: Settings = {
    trip,
    failureRatio,
    samplingDuration: positiveMillis(fn, "samplingDuration", samplingDuration),
    minimumThroughput: positiveInteger(fn, "minimumThroughput", minimumThroughput),
    ...common
  }
  return { name, isFailure, store, settings }
}

const positiveMillis = (fn: string, option: string, input: Duration.Input): number => {
  const allowed = "a positive, finite duration"
  let millis: number
  try {
    millis = durationMillis(fn, option, input)
  } catch {
    throw rangeError(fn, option, allowed, input)
  }
  if (millis <= 0) throw rangeError(fn, option, allowed, input)
  return millis
}

const positiveInteger = (fn: string, option: string, value: number): number => {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw rangeError(fn, option, "a positive integer", value)
  }
  return value
}

/** What `classify` decided, and what `isFailure` threw when it threw. */
interface Verdict {
  readonly outcome: Outcome
  readonly thrown?: { readonly defect: unknown }
}

const success: Verdict = { outcome: "success" }
const failure: Verdict = { outcome: "failure" }
const ignored: Verdict = { outcome: "ignored" }

const makeBreaker = (
  config: Config,
  store: Store,
  pubsub: PubSub.PubSub<Transition>,
  initial: Circuit
): { readonly breaker: CircuitBreaker; readonly telemetry: Telemetry | undefined } => {
  const { isFailure, name, settings } = config
  const slowCallDuration = settings.slowCallDuration ?? Infinity
  // The circuit as of the last transition this breaker made: what the state gauge reports.
  let current = initial
  // Transitions waiting for their metrics and logs, which are effects and so run after the store's step.
  const pending: Array<Transition> = []
  const telemetry = name === undefined ? undefined : makeTelemetry(name, pending, () => current)

  // Runs inside the store's step, so that transitions reach the stream in the order they happened.
  const onTransition = (transition: Transition): void => {
    current = transition.to
    PubSub.publishUnsafe(pubsub, transition)
    if (telemetry !== undefined) pending.push(transition)
  }

  const classify = (exit: Exit.Exit<unknown, unknown>, elapsed: number): Verdict => {
    if (Exit.isSuccess(exit)) return elapsed > slowCallDuration ? failure : success
    const cause = exit.cause
    if (Cause.hasInterruptsOnly(cause)) return ignored
    if (elapsed > slowCallDuration || Cause.hasDies(cause)) return failure
    const error = Cause.findErrorOption(cause)
    if (Option.isNone(error) || isRejection(error.value)) return ignored
    try {
      return isFailure(error.value) ? failure : success
    } catch (defect) {
      return { outcome: "ignored", thrown: { defect } }
    }
  }

  const rejection = (admission: Admission & { readonly _tag: "Rejected" }) =>
    new CircuitOpen({
      ...(name === undefined ? {} : { breaker: name }),
      circuit: admission.circuit,
      retryAfter: toDuration(admission.retryAfter)
    })

  // The outcome is recorded as the call exits, inside the same uninterruptible region that admitted it, so no
  // interruption can take a permit and leave without handing it back.
  const run = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | CircuitOpen, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.clockWith((clock) => {
        const start = clock.currentTimeMillisUnsafe()
        const acquired = store.acquire({ settings, now: start, onTransition })
        return Effect.flatMap(acquired, (admission): Effect.Effect<A, E | CircuitOpen, R> => {
          if (admission._tag === "Rejected") {
            return after(telemetry?.call("rejected"), Effect.fail(rejection(admission)))
          }
          const { permit } = admission
          return after(
            telemetry?.flush,
            Effect.onExitPrimitive(restore(effect), (exit) => {
              const now = clock.currentTimeMillisUnsafe()
              const { outcome, thrown } = classify(exit, now - start)
              const recorded = store.record({ settings, now, onTransition, permit, outcome })
              const counted = telemetry === undefined ? recorded : Effect.andThen(recorded, telemetry.call(outcome))
              // A failing finalizer's cause joins the call's own, so the call fails with both.
              return thrown === undefined ? counted : Effect.andThen(counted, Effect.die(thrown.defect))
            })
          )
        })
      })
    )

  const manual = (operation: "isolate" | "reset"): Effect.Effect<void> =>
    Effect.clockWith((clock) => {
      const now = clock.currentTimeMillisUnsafe()
      return Effect.andThen(store[operation]({ settings, now, onTransition }), telemetry?.flush ?? Effect.void)
    })

  const breaker: CircuitBreaker = {
    name,
    settings,
    run,
    state: Effect.clockWith((clock) => store.state(settings, clock.currentTimeMillisUnsafe())),
    transitions: Stream.fromPubSub(pubsub),
    isolate: manual("isolate"),
    reset: manual("reset")
  }
  return { breaker, telemetry }
}

const after = <A, E, R>(first: Effect.Effect<void> | undefined, effect: Effect.Effect<A, E, R>) =>
  first === undefined ? effect : Effect.andThen(first, effect)

const metrics = {
  calls: family((attributes) =>
    Metric.counter("resilience_breaker_calls_total", {
      description: "Calls through a circuit breaker, by outcome: success, failure, rejected or ignored",
      incremental: true,
      attributes
    })
  ),
  transitions: family((attributes) =>
    Metric.counter("resilience_breaker_transitions_total", {
      description: "Transitions of a circuit breaker, by the states left and entered",
      incremental: true,
      attributes
    })
  ),
  state: family((attributes) =>
    Metric.gauge("resilience_breaker_state", {
      description: "The state of a circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated",
      attributes
    })
  )
} as const

const stateCodes: Record<Circuit, number> = { "closed": 0, "half-open": 1, "open": 2, "isolated": 3 }

/** What a named breaker records: calls by outcome, then the transitions made since the last flush. */
interface Telemetry {
  readonly call: (outcome: Outcome | "rejected") => Effect.Effect<void>
  readonly flush: Effect.Effect<void>
  /** Writes the state gauge once, when the breaker is made, so that its series exists from the start. */
  readonly init: Effect.Effect<void>
}

// Labels are bound once per breaker, and per transition edge the first time it is taken. The gauge is written with
// the circuit read when the write runs, so the last write carries the latest state whatever order fibers run in.
const makeTelemetry = (name: string, pending: Array<Transition>, current: () => Circuit): Telemetry => {
  const calls = {
    success: metrics.calls({ policy: name, outcome: "success" }),
    failure: metrics.calls({ policy: name, outcome: "failure" }),
    ignored: metrics.calls({ policy: name, outcome: "ignored" }),
    rejected: metrics.calls({ policy: name, outcome: "rejected" })
  }
  const gauge = metrics.state({ policy: name })
  const edges = new Map<string, Metric.Metric<number, unknown>>()
  const edge = (from: Circuit, to: Circuit) => {
    const key = `${from}>${to}`
    let metric = edges.get(key)
    if (metric === undefined) {
      metric = metrics.transitions({ policy: name, from, to })
      edges.set(key, metric)
    }
    return metric
  }
  const report = (transition: Transition) =>
    Metric.update(edge(transition.from, transition.to), 1).pipe(
      Effect.andThen(Effect.logDebug("circuit transition")),
      Effect.annotateLogs({ policy: name, from: transition.from, to: transition.to, reason: transition.reason })
    )
  const flush = Effect.suspend(() => {
    if (pending.length === 0) return Effect.void
    const batch = pending.splice(0, pending.length)
    return Effect.forEach(batch, report, { discard: true }).pipe(
      Effect.andThen(Effect.suspend(() => Metric.update(gauge, stateCodes[current()])))
    )
  })
  return {
    call: (outcome) => Effect.andThen(Metric.update(calls[outcome], 1), flush),
    flush,
    init: Effect.suspend(() => Metric.update(gauge, stateCodes[current()]))
  }
}
