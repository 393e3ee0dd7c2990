import { Data, Duration, Effect } from "effect"
import type * as Predicate from "effect/Predicate"
import { describe, expectTypeOf, it } from "vitest"
import * as Classify from "../src/Classify.ts"
import * as Policy from "../src/Policy.ts"

class Unavailable extends Data.TaggedError("Unavailable")<{ readonly retryAfterMs: number }> {}
class BadRequest extends Data.TaggedError("BadRequest") {}
type ServiceError = Unavailable | BadRequest

declare const unknownError: unknown
declare const serviceError: ServiceError

describe("Classify.tags", () => {
  it("is a refinement from unknown to an object with one of the literal tags", () => {
    expectTypeOf(Classify.tags("Unavailable", "Throttled")).toEqualTypeOf<
      (error: unknown) => error is { readonly _tag: "Unavailable" | "Throttled" }
    >()
  })

  it("narrows a union of tagged errors to the listed members, and the rest in the false branch", () => {
    const isUnavailable = Classify.tags("Unavailable")
    if (isUnavailable(serviceError)) {
      expectTypeOf(serviceError).toEqualTypeOf<Unavailable>()
    } else {
      expectTypeOf(serviceError).toEqualTypeOf<BadRequest>()
    }
  })

  it("accepts only strings", () => {
    // @ts-expect-error: tags are strings
    Classify.tags("Unavailable", 1)
  })
})

describe("Classify.any and Classify.all", () => {
  it("any of refinements is a refinement to the union", () => {
    const either = Classify.any(Classify.tags("A"), Classify.tags("B"))
    if (either(unknownError)) {
      expectTypeOf(unknownError).toEqualTypeOf<{ readonly _tag: "A" } | { readonly _tag: "B" }>()
    }
  })

  it("all of refinements is a refinement to the intersection", () => {
    const both = Classify.all(Classify.tags("A"), (u: unknown): u is { readonly id: number } => u !== null)
    if (both(unknownError)) {
      expectTypeOf(unknownError).toEqualTypeOf<{ readonly _tag: "A" } & { readonly id: number }>()
    }
  })

  it("a plain predicate among the arguments makes a plain predicate", () => {
    const byField = (error: ServiceError) => error._tag === "Unavailable" && error.retryAfterMs < 1000
    expectTypeOf(Classify.any(Classify.tags("BadRequest"), byField)).toEqualTypeOf<Predicate.Predicate<ServiceError>>()
    expectTypeOf(Classify.all(Classify.tags("Unavailable"), byField)).toEqualTypeOf<
      Predicate.Predicate<ServiceError>
    >()
  })

  it("the input type is what every predicate accepts", () => {
    const isBadRequest = (error: ServiceError) => error._tag === "BadRequest"
    const onServiceError = Classify.any(Classify.isTransientNetworkError, isBadRequest)
    expectTypeOf(onServiceError).parameter(0).toEqualTypeOf<ServiceError>()
    // @ts-expect-error: the combined predicate reads ServiceError fields
    onServiceError(unknownError)
  })

  it("not is a plain predicate, since TypeScript cannot express a negated type", () => {
    expectTypeOf(Classify.not(Classify.tags("BadRequest"))).toEqualTypeOf<Predicate.Predicate<unknown>>()
  })
})

describe("Classify with Policy and Effect.retry", () => {
  it("the classifiers and the hint fit Policy.retryWhile and Policy.retryAfter", () => {
    const policy = Policy.exponential({ maxRetries: 3 }).pipe(
      Policy.retryWhile(Classify.any(Classify.isTransientHttpError, Classify.isTransientNetworkError)),
      Policy.retryAfter(Classify.retryAfterHint, { max: "1 minute" })
    )
    expectTypeOf(Effect.retry(Effect.fail(serviceError), policy)).toEqualTypeOf<
      Effect.Effect<never, ServiceError>
    >()
  })

  it("a tags refinement narrows what later Policy combinators see", () => {
    const policy = Policy.exponential<ServiceError>().pipe(
      Policy.retryWhile(Classify.tags("Unavailable")),
      Policy.retryAfter((error: Unavailable) => Duration.millis(error.retryAfterMs), { max: "1 minute" })
    )
    expectTypeOf(Effect.retry(Effect.fail(serviceError), policy)).toEqualTypeOf<
      Effect.Effect<never, ServiceError>
    >()
  })

  it("the classifiers fit Effect.retry's while option", () => {
    expectTypeOf(Effect.retry(Effect.fail(serviceError), { while: Classify.tags("Unavailable"), times: 2 }))
      .toEqualTypeOf<Effect.Effect<never, ServiceError>>()
  })

  it("retryAfterHint matches the hint signature of Policy.retryAfter", () => {
    expectTypeOf(Classify.retryAfterHint).toEqualTypeOf<
      (error: unknown, now: number) => Duration.Duration | undefined
    >()
  })
})
