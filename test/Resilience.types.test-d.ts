import { Data, Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import type * as Bulkhead from "../src/Bulkhead.ts"
import type * as CircuitBreaker from "../src/CircuitBreaker.ts"
import * as Policy from "../src/Policy.ts"
import * as Resilience from "../src/Resilience.ts"
import type * as RetryBudget from "../src/RetryBudget.ts"
import type * as Timeout from "../src/Timeout.ts"

class Unavailable extends Data.TaggedError("Unavailable")<{}> {}
class Other extends Data.TaggedError("Other")<{}> {}

declare const call: Effect.Effect<number, Unavailable>
declare const other: Effect.Effect<number, Other>

declare const all: Resilience.Pipeline<{
  bulkhead: Bulkhead.Options
  totalTimeout: "1 second"
  retry: Policy.Policy<Unavailable>
  attemptTimeout: 100
}>
declare const retryOnly: Resilience.Pipeline<{ retry: Policy.Policy<Unavailable> }>
declare const timeoutOnly: Resilience.Pipeline<{ attemptTimeout: 100 }>
declare const budgeted: Resilience.Pipeline<
  { retry: Policy.Policy<Unavailable, Unavailable, RetryBudget.RetryBudget> }
>
declare const loose: Resilience.Pipeline<Resilience.Options>
declare const withBreaker: Resilience.Pipeline<{ breaker: CircuitBreaker.Options }>
declare const hedged: Resilience.Pipeline<{ hedge: { delay: 50 } }>
declare const hedgedOnBudget: Resilience.Pipeline<{ hedge: { delay: 50; budget: "api" } }>

type AllRejections = Bulkhead.BulkheadRejected | Timeout.TotalTimeout | Timeout.AttemptTimeout

describe("Resilience types", () => {
  it("the error type adds exactly the rejections the options can raise", () => {
    expectTypeOf(all(call)).toEqualTypeOf<Effect.Effect<number, Unavailable | AllRejections>>()
    expectTypeOf(retryOnly(call)).toEqualTypeOf<Effect.Effect<number, Unavailable>>()
    expectTypeOf(timeoutOnly(call)).toEqualTypeOf<Effect.Effect<number, Unavailable | Timeout.AttemptTimeout>>()
  })

  it("make infers the options from the literal", () => {
    const made = Resilience.make({ totalTimeout: "1 second", retry: Policy.exponential<Unavailable>() })
    expectTypeOf(Effect.map(made, (resilient) => resilient(call))).toEqualTypeOf<
      Effect.Effect<Effect.Effect<number, Unavailable | Timeout.TotalTimeout>>
    >()
  })

  it("a pipeline's retry policy must accept the call's failures", () => {
    // @ts-expect-error the policy cannot read Other
    retryOnly(other)
  })

  it("a budgeted policy's requirement carries over to the call", () => {
    expectTypeOf(budgeted(call)).toEqualTypeOf<Effect.Effect<number, Unavailable, RetryBudget.RetryBudget>>()
  })

  it("options typed loosely keep every rejection and requirement they might have", () => {
    expectTypeOf(loose(call)).toEqualTypeOf<
      Effect.Effect<number, Unavailable | AllRejections | CircuitBreaker.CircuitOpen, RetryBudget.RetryBudget>
    >()
  })

  it("a breaker adds CircuitOpen; a hedge adds nothing, or the budget it draws on", () => {
    expectTypeOf(withBreaker(call)).toEqualTypeOf<Effect.Effect<number, Unavailable | CircuitBreaker.CircuitOpen>>()
    expectTypeOf(hedged(call)).toEqualTypeOf<Effect.Effect<number, Unavailable>>()
    expectTypeOf(hedgedOnBudget(call)).toEqualTypeOf<Effect.Effect<number, Unavailable, RetryBudget.RetryBudget>>()
  })
})
