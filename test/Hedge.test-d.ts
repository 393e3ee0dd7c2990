import { Context, Data, Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import * as Classify from "../src/Classify.ts"
import * as Hedge from "../src/Hedge.ts"
import type * as RetryBudget from "../src/RetryBudget.ts"

class Timeout extends Data.TaggedError("Timeout")<{ readonly ms: number }> {}
class Invalid extends Data.TaggedError("Invalid")<{ readonly field: string }> {}
class Database extends Context.Service<Database, { readonly url: string }>()("Database") {}

declare const program: Effect.Effect<string, Timeout | Invalid, Database>
declare const infallible: Effect.Effect<number>
declare const timeoutsOnly: Effect.Effect<boolean, Timeout>

type Budget = RetryBudget.RetryBudget

describe("Hedge.race types", () => {
  it("keeps the success, error and requirement types when no budget is given", () => {
    type Expected = Effect.Effect<string, Timeout | Invalid, Database>
    expectTypeOf(Hedge.race(program, { delay: 50 })).toEqualTypeOf<Expected>()
    expectTypeOf(program.pipe(Hedge.race({ delay: "50 millis", maxHedged: 2, name: "db" }))).toEqualTypeOf<Expected>()
    expectTypeOf(Hedge.race(infallible, { delay: 50, budget: undefined })).toEqualTypeOf<Effect.Effect<number>>()
  })

  it("adds RetryBudget to the requirements exactly when a budget is given", () => {
    type Expected = Effect.Effect<string, Timeout | Invalid, Database | Budget>
    expectTypeOf(Hedge.race(program, { delay: 50, budget: "db" })).toEqualTypeOf<Expected>()
    expectTypeOf(program.pipe(Hedge.race({ delay: 50, budget: "db" }))).toEqualTypeOf<Expected>()
    expectTypeOf(Hedge.race(infallible, { delay: 50, budget: "db" })).toEqualTypeOf<
      Effect.Effect<number, never, Budget>
    >()
  })

  it("requires RetryBudget for options whose budget is only known at run time", () => {
    const options: Hedge.Options = { delay: 50 }
    expectTypeOf(Hedge.race(program, options)).toEqualTypeOf<
      Effect.Effect<string, Timeout | Invalid, Database | Budget>
    >()
  })

  it("keeps the requirements for shared options declared with satisfies and no budget", () => {
    const shared = { delay: 50, maxHedged: 2, name: "db" } satisfies Hedge.Options
    expectTypeOf(Hedge.race(program, shared)).toEqualTypeOf<Effect.Effect<string, Timeout | Invalid, Database>>()
  })

  it("types an inline isRetryable from the program in the data-first form", () => {
    const hedged = Hedge.race(program, {
      delay: 50,
      isRetryable: (error) => {
        expectTypeOf(error).toEqualTypeOf<Timeout | Invalid>()
        return error._tag === "Timeout"
      }
    })
    expectTypeOf(hedged).toEqualTypeOf<Effect.Effect<string, Timeout | Invalid, Database>>()
  })

  it("accepts an annotated or unknown-reading isRetryable in a pipe", () => {
    const annotated = program.pipe(
      Hedge.race({ delay: 50, isRetryable: (error: Timeout | Invalid) => error._tag === "Timeout" })
    )
    expectTypeOf(annotated).toEqualTypeOf<Effect.Effect<string, Timeout | Invalid, Database>>()
    const classified = program.pipe(Hedge.race({ delay: 50, isRetryable: Classify.isTransientHttpError }))
    expectTypeOf(classified).toEqualTypeOf<Effect.Effect<string, Timeout | Invalid, Database>>()
  })

  it("reads an unannotated inline isRetryable in a pipe as unknown", () => {
    const hedged = program.pipe(Hedge.race({
      delay: 50,
      isRetryable: (error) => {
        expectTypeOf(error).toEqualTypeOf<unknown>()
        return true
      }
    }))
    expectTypeOf(hedged).toEqualTypeOf<Effect.Effect<string, Timeout | Invalid, Database>>()
  })

  it("builds a reusable pipeable hedge outside a pipe, for the programs its isRetryable can read", () => {
    const hedge = Hedge.race({ delay: 50, isRetryable: (error: Timeout | Invalid) => error._tag === "Timeout" })
    expectTypeOf(hedge(program)).toEqualTypeOf<Effect.Effect<string, Timeout | Invalid, Database>>()
    expectTypeOf(hedge(timeoutsOnly)).toEqualTypeOf<Effect.Effect<boolean, Timeout>>()
  })

  it("rejects an isRetryable that cannot read every failure of the program", () => {
    // @ts-expect-error isRetryable reads Timeout only, the program also fails with Invalid
    Hedge.race(program, { delay: 50, isRetryable: (error: Timeout) => error.ms > 0 })
    // @ts-expect-error the same in a pipe
    program.pipe(Hedge.race({ delay: 50, isRetryable: (error: Timeout) => error.ms > 0 }))
  })

  it("requires a delay and rejects unknown options", () => {
    // @ts-expect-error delay has no default
    Hedge.race(program, { maxHedged: 1 })
    // @ts-expect-error maxHedge is not an option
    Hedge.race(program, { delay: 50, maxHedge: 2 })
  })
})
