import { Context, Data, Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import * as Bulkhead from "../src/Bulkhead.ts"

class Timeout extends Data.TaggedError("Timeout")<{ readonly ms: number }> {}
class Invalid extends Data.TaggedError("Invalid")<{ readonly field: string }> {}
class Database extends Context.Service<Database, { readonly url: string }>()("Database") {}

declare const bulkhead: Bulkhead.Bulkhead
declare const program: Effect.Effect<string, Timeout | Invalid, Database>
declare const infallible: Effect.Effect<number>

describe("Bulkhead types", () => {
  it("make is an Effect that cannot fail and needs nothing", () => {
    expectTypeOf(Bulkhead.make({ maxConcurrent: 1 })).toEqualTypeOf<Effect.Effect<Bulkhead.Bulkhead>>()
  })

  it("run adds exactly BulkheadRejected to the error type and keeps success and requirements", () => {
    expectTypeOf(bulkhead.run(program)).toEqualTypeOf<
      Effect.Effect<string, Timeout | Invalid | Bulkhead.BulkheadRejected, Database>
    >()
    expectTypeOf(bulkhead.run(infallible)).toEqualTypeOf<Effect.Effect<number, Bulkhead.BulkheadRejected>>()
  })

  it("withBulkhead has the same type in data-first and pipeable forms", () => {
    type Expected = Effect.Effect<string, Timeout | Invalid | Bulkhead.BulkheadRejected, Database>
    expectTypeOf(Bulkhead.withBulkhead(program, bulkhead)).toEqualTypeOf<Expected>()
    expectTypeOf(program.pipe(Bulkhead.withBulkhead(bulkhead))).toEqualTypeOf<Expected>()
  })

  it("a rejection can be handled by its tag, leaving the downstream errors as they were", () => {
    const handled = bulkhead.run(program).pipe(Effect.catchTag("BulkheadRejected", () => Effect.succeed("shed")))
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, Timeout | Invalid, Database>>()
  })

  it("isBulkheadRejected narrows a union of errors", () => {
    const classify = (error: Timeout | Invalid | Bulkhead.BulkheadRejected) => {
      if (Bulkhead.isBulkheadRejected(error)) {
        expectTypeOf(error).toEqualTypeOf<Bulkhead.BulkheadRejected>()
        expectTypeOf(error.bulkhead).toEqualTypeOf<string | undefined>()
        return error.maxConcurrent
      }
      expectTypeOf(error).toEqualTypeOf<Timeout | Invalid>()
      return 0
    }
    expectTypeOf(classify).returns.toEqualTypeOf<number>()
  })

  it("maxConcurrent is required", () => {
    // @ts-expect-error maxConcurrent has no default
    Bulkhead.make({ maxQueued: 10 })
  })
})
