import { Context, Data, Duration, Effect, Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"

class Timeout extends Data.TaggedError("Timeout")<{ readonly ms: number }> {}
class Invalid extends Data.TaggedError("Invalid")<{ readonly field: string }> {}
class Database extends Context.Service<Database, { readonly url: string }>()("Database") {}

declare const breaker: CircuitBreaker.CircuitBreaker
declare const program: Effect.Effect<string, Timeout | Invalid, Database>
declare const infallible: Effect.Effect<number>

describe("CircuitBreaker types", () => {
  it("make is an Effect that cannot fail and needs nothing, with or without options", () => {
    expectTypeOf(CircuitBreaker.make()).toEqualTypeOf<Effect.Effect<CircuitBreaker.CircuitBreaker>>()
    expectTypeOf(CircuitBreaker.make({ trip: "consecutive", failures: 3 })).toEqualTypeOf<
      Effect.Effect<CircuitBreaker.CircuitBreaker>
    >()
  })

  it("run adds exactly CircuitOpen to the error type and keeps success and requirements", () => {
    expectTypeOf(breaker.run(program)).toEqualTypeOf<
      Effect.Effect<string, Timeout | Invalid | CircuitBreaker.CircuitOpen, Database>
    >()
    expectTypeOf(breaker.run(infallible)).toEqualTypeOf<Effect.Effect<number, CircuitBreaker.CircuitOpen>>()
  })

  it("withBreaker has the same type in data-first and pipeable forms", () => {
    type Expected = Effect.Effect<string, Timeout | Invalid | CircuitBreaker.CircuitOpen, Database>
    expectTypeOf(CircuitBreaker.withBreaker(program, breaker)).toEqualTypeOf<Expected>()
    expectTypeOf(program.pipe(CircuitBreaker.withBreaker(breaker))).toEqualTypeOf<Expected>()
  })

  it("a rejection can be handled by its tag, leaving the downstream errors as they were", () => {
    const handled = breaker.run(program).pipe(Effect.catchTag("CircuitOpen", () => Effect.succeed("later")))
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, Timeout | Invalid, Database>>()
  })

  it("isCircuitOpen narrows a union of errors, and the rejection says why and for how long", () => {
    const classify = (error: Timeout | Invalid | CircuitBreaker.CircuitOpen) => {
      if (CircuitBreaker.isCircuitOpen(error)) {
        expectTypeOf(error).toEqualTypeOf<CircuitBreaker.CircuitOpen>()
        expectTypeOf(error.breaker).toEqualTypeOf<string | undefined>()
        expectTypeOf(error.circuit).toEqualTypeOf<"open" | "half-open" | "isolated">()
        return error.retryAfter
      }
      expectTypeOf(error).toEqualTypeOf<Timeout | Invalid>()
      return Duration.zero
    }
    expectTypeOf(classify).returns.toEqualTypeOf<Duration.Duration>()
  })

  it("state, transitions and the manual controls are effects and a stream that cannot fail", () => {
    expectTypeOf(breaker.state).toEqualTypeOf<Effect.Effect<CircuitBreaker.State>>()
    expectTypeOf(breaker.transitions).toEqualTypeOf<Stream.Stream<CircuitBreaker.Transition>>()
    expectTypeOf(breaker.isolate).toEqualTypeOf<Effect.Effect<void>>()
    expectTypeOf(breaker.reset).toEqualTypeOf<Effect.Effect<void>>()
    expectTypeOf<CircuitBreaker.State["circuit"]>().toEqualTypeOf<"closed" | "open" | "half-open" | "isolated">()
  })

  it("each trip policy takes only its own options, and the consecutive policy requires its count", () => {
    CircuitBreaker.make({ failureRatio: 0.2, samplingDuration: "10 seconds", minimumThroughput: 20 })
    CircuitBreaker.make({ trip: "failure-ratio", breakDuration: 1_000, isFailure: () => true })
    // @ts-expect-error failures has no default
    CircuitBreaker.make({ trip: "consecutive" })
    // @ts-expect-error failureRatio belongs to the failure-ratio policy
    CircuitBreaker.make({ trip: "consecutive", failures: 3, failureRatio: 0.5 })
    // @ts-expect-error failures belongs to the consecutive policy
    CircuitBreaker.make({ failures: 3 })
  })
})
