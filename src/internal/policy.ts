import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as RetryBudget from "../RetryBudget.ts"
import { type Config, Driver, type Step, type StopReason } from "./driver.ts"
import { isRejection } from "./rejection.ts"
import { rangeError } from "./validate.ts"

/** The key under which a policy keeps its configuration. @internal */
export const TypeId = "~effect-resilience/Policy"

/**
 * The structural shape of a policy, as the internals see it: a Schedule carrying its configuration.
 *
 * @internal
 */
export type AnyPolicy = Schedule.Schedule<Step, any, never, any> & { readonly [TypeId]: unknown }

/** @internal */
export const isPolicy = (u: unknown): boolean => typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const configOf = (policy: unknown): Config => {
  if (!isPolicy(policy)) throw rangeError("Policy", "self", "a Policy", policy)
  return (policy as any)[TypeId] as Config
}

/** @internal */
export const update = <P>(self: unknown, patch: Partial<Config>): P => make({ ...configOf(self), ...patch })

/**
 * One run of a policy: its decisions, and the refusal of a granted retry by something outside the curve.
 *
 * @internal
 */
export interface Run {
  readonly decide: (now: number, error: unknown) => Step
  readonly refuse: (step: Step, reason: StopReason) => Step
}

/**
 * One synchronous read of the fiber's Clock and Random; the driver itself is built on the first failure, so a call
 * that succeeds at once pays for neither its state nor its closures.
 *
 * @internal
 */
export const withDriver = <A>(config: Config, f: (run: Run, start: number) => A): Effect.Effect<A> =>
  Effect.withFiberSucceed((fiber) => {
    const random = fiber.getRef(Random.Random)
    const start = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
    let driver: Driver | undefined
    const run: Run = {
      decide: (now, error) => (driver ??= new Driver(config, start, random)).decide(now, error),
      refuse: (step, reason) => driver!.refuse(step, reason)
    }
    return f(run, start)
  })

// Only budgeted policies call this, and their environment includes the RetryBudget service.
/** @internal */
export const budgetSuccess = (key: string): Effect.Effect<void, never, RetryBudget.RetryBudget> =>
  Effect.flatMap(
    Effect.service(RetryBudget.RetryBudget),
    (store) => Effect.flatMap(Clock.currentTimeMillis, (now) => store.success(key, now))
  )

const finish = (step: Step) =>
  step.stop === undefined ? Effect.succeed<[Step, Duration.Duration]>([step, step.delay]) : Cause.done(step)

// A retry the curve granted must also be granted by the budget. Failures the classifiers accept count against the
// downstream, unless they are rejections of this library's; a failure the classifiers reject counts for nothing.
const consultBudget = (
  store: RetryBudget.Store,
  key: string,
  run: Run,
  step: Step,
  now: number,
  error: unknown
): Effect.Effect<Step> => {
  if (step.stop === "not-retryable") return Effect.succeed(step)
  const failure = isRejection(error) ? Effect.void : store.failure(key, now)
  if (step.stop !== undefined) return Effect.as(failure, step)
  return Effect.andThen(
    failure,
    Effect.map(store.acquire(key, now), (granted) => granted ? step : run.refuse(step, "budget-exhausted"))
  )
}

/** @internal */
export const make = <P>(config: Config): P => {
  const { budget, observer, taps } = config
  // A policy with nothing attached keeps the bare decision: no effect runs between a failure and its sleep.
  const plain = observer === undefined && taps.length === 0 && budget === undefined
  const steps = (store: RetryBudget.Store | undefined) =>
    withDriver(config, (run) => (now: number, error: unknown) => {
      const step = run.decide(now, error)
      if (plain) return finish(step)
      const decided = store === undefined || budget === undefined
        ? Effect.succeed(step)
        : consultBudget(store, budget, run, step, now, error)
      return Effect.flatMap(decided, (final) => {
        const effects = taps.map((tap) => tap(final, error))
        if (observer !== undefined) effects.unshift(observer.decide(final, error, now))
        return effects.length === 0
          ? finish(final)
          : Effect.andThen(Effect.all(effects, { discard: true }), finish(final))
      })
    })
  // Each run of a budgeted policy is one call of the downstream: the budget counts it as the run starts.
  const schedule = Schedule.fromStep(
    budget === undefined ?
      steps(undefined) :
      Effect.flatMap(
        Effect.service(RetryBudget.RetryBudget),
        (store) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.andThen(store.call(budget, now), steps(store)))
      )
  )
  const policy: any = schedule
  policy[TypeId] = config
  return policy
}
