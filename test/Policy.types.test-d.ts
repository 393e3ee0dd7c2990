import { Data, Effect, Schedule, Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import * as Policy from "../src/Policy.ts"
import * as RetryBudget from "../src/RetryBudget.ts"

class Timeout extends Data.TaggedError("Timeout")<{ readonly ms: number }> {}
class Throttled extends Data.TaggedError("Throttled")<{ readonly retryAfterMs: number }> {}
class Invalid extends Data.TaggedError("Invalid")<{ readonly field: string }> {}
type ApiError = Timeout | Throttled | Invalid

declare const program: Effect.Effect<string, ApiError>
declare const stream: Stream.Stream<string, ApiError>
declare const timeoutOnly: Effect.Effect<string, Timeout>

const isTransient = (e: ApiError): e is Timeout | Throttled => e._tag !== "Invalid"

describe("Policy types", () => {
  it("a policy is a Schedule whose input is the failure and whose output is a Step", () => {
    expectTypeOf(Policy.exponential()).toExtend<Schedule.Schedule<Policy.Step, unknown>>()
    expectTypeOf(Effect.retry(program, Policy.exponential())).toEqualTypeOf<Effect.Effect<string, ApiError>>()
    expectTypeOf(Stream.retry(stream, Policy.constant())).toEqualTypeOf<Stream.Stream<string, ApiError>>()
  })

  it("a policy without classifiers retries any program", () => {
    Effect.retry(timeoutOnly, Policy.fibonacci())
    Effect.retry(Effect.fail("text"), Policy.decorrelated())
  })

  it("a classifier narrows what later combinators see", () => {
    const policy = Policy.exponential().pipe(
      Policy.retryWhile(isTransient),
      Policy.retryAfter((e: Timeout | Throttled) => e._tag === "Throttled" ? e.retryAfterMs : undefined, {
        max: "1 minute"
      })
    )
    expectTypeOf(policy).toEqualTypeOf<Policy.Policy<ApiError, Timeout | Throttled>>()
    Effect.retry(program, policy)
  })

  it("the data-first form infers the classifier's parameter from the policy", () => {
    const typed = Policy.constant<ApiError>()
    const narrowed = Policy.retryWhile(typed, (e): e is Throttled => e._tag === "Throttled")
    expectTypeOf(narrowed).toEqualTypeOf<Policy.Policy<ApiError, Throttled>>()
    const hinted = Policy.retryAfter(narrowed, (e) => e.retryAfterMs, { max: 1000 })
    expectTypeOf(hinted).toEqualTypeOf<Policy.Policy<ApiError, Throttled>>()
  })

  it("a hint that reads fields only narrowed errors have does not compile before the narrowing", () => {
    const typed = Policy.constant<ApiError>()
    // @ts-expect-error Invalid and Timeout have no retryAfterMs
    Policy.retryAfter(typed, (e) => e.retryAfterMs, { max: 1000 })
  })

  it("a policy whose classifier reads one error type cannot retry a program that fails with another", () => {
    const onlyTimeouts = Policy.exponential().pipe(Policy.retryWhile((e: Timeout) => e.ms < 1000))
    Effect.retry(timeoutOnly, onlyTimeouts)
    // @ts-expect-error the classifier cannot read Throttled or Invalid
    Effect.retry(program, onlyTimeouts)
    // @ts-expect-error the same holds for streams
    Stream.retry(stream, onlyTimeouts)
  })

  it("unless the classifier accepts the union", () => {
    const onAll = Policy.exponential().pipe(Policy.retryWhile((e: ApiError) => e._tag !== "Invalid"))
    Effect.retry(program, onAll)
    Effect.retry(timeoutOnly, onAll)
  })

  it("a hint reading one error type cannot be used on a program with others", () => {
    const hinted = Policy.exponential().pipe(Policy.retryAfter((e: Throttled) => e.retryAfterMs, { max: 1000 }))
    // @ts-expect-error Timeout and Invalid have no retryAfterMs
    Effect.retry(program, hinted)
  })

  it("retryOrElse hands the handler the last error and the stop step", () => {
    Effect.retryOrElse(program, Policy.exponential(), (error, step) => {
      expectTypeOf(error).toEqualTypeOf<ApiError>()
      expectTypeOf(step.stop).toEqualTypeOf<Policy.StopReason | undefined>()
      return Effect.succeed("fallback")
    })
  })

  it("combinators keep the policy's types", () => {
    const policy = Policy.constant<ApiError>().pipe(
      Policy.withMaxRetries(5),
      Policy.withMaxElapsed("1 minute"),
      Policy.withJitter(0.2),
      Policy.withMaxDelay("10 seconds"),
      Policy.resetAfter("1 hour")
    )
    expectTypeOf(policy).toEqualTypeOf<Policy.Policy<ApiError, ApiError>>()
  })

  it("a budgeted policy requires the RetryBudget service, and so does the program it retries", () => {
    const budgeted = Policy.exponential().pipe(Policy.withBudget("api"))
    expectTypeOf(budgeted).toEqualTypeOf<Policy.Policy<unknown, unknown, RetryBudget.RetryBudget>>()
    expectTypeOf(Effect.retry(program, budgeted)).toEqualTypeOf<
      Effect.Effect<string, ApiError, RetryBudget.RetryBudget>
    >()
    expectTypeOf(Policy.retry(program, budgeted)).toEqualTypeOf<
      Effect.Effect<string, ApiError, RetryBudget.RetryBudget>
    >()
    const provided = Policy.retry(program, budgeted).pipe(
      Effect.provide(RetryBudget.layerMemory({ algorithm: "ratio" }))
    )
    expectTypeOf(provided).toEqualTypeOf<Effect.Effect<string, ApiError>>()
  })

  it("options reject values of the wrong kind", () => {
    // @ts-expect-error maxRetries is a number
    Policy.exponential({ maxRetries: "3" })
    // @ts-expect-error jitter is a Jitter or a number
    Policy.exponential({ jitter: "full" })
    // @ts-expect-error retryAfter requires max
    Policy.retryAfter(Policy.constant(), () => 1, {})
  })
})
