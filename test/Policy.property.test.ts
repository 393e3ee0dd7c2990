import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Random, Schema } from "effect"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing, runToEnd } from "./helpers.ts"

const millisArb = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1e9 }))
const options = {
  kind: Schema.Literals(["constant", "linear", "exponential", "fibonacci", "decorrelated"]),
  first: millisArb,
  cap: millisArb,
  floor: millisArb,
  factor: Schema.Finite.check(Schema.isBetween({ minimum: 1, maximum: 1e6 })),
  jitterKind: Schema.Literals(["none", "full", "equal", "proportional", "decorrelated"]),
  jitterFactor: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 })),
  maxRetries: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 40 })),
  seed: Schema.Int
}

type Drawn = { readonly [K in keyof typeof options]: Schema.Schema.Type<(typeof options)[K]> }

// Orders the drawn numbers into valid options: min <= base <= max.
const build = (o: Drawn) => {
  const [min, base, max] = [o.first, o.cap, o.floor].sort((a, b) => a - b) as [number, number, number]
  const jitter = o.jitterKind === "proportional" ? Jitter.proportional(o.jitterFactor) : Jitter[o.jitterKind]
  const common = { min, max, jitter, maxRetries: o.maxRetries }
  const policy = o.kind === "constant"
    ? Policy.constant({ ...common, delay: base })
    : o.kind === "exponential"
    ? Policy.exponential({ ...common, base, factor: o.factor })
    : Policy[o.kind]({ ...common, base })
  return { policy, min, max }
}

describe("Policy properties", () => {
  it.effect.prop(
    "for any valid options, every delay is finite and within [min, max]",
    options,
    (o) =>
      Effect.gen(function*() {
        const { max, min, policy } = build(o)
        const delays = yield* Policy.delays(policy, { retries: 60 }).pipe(Random.withSeed(o.seed))
        expect(delays.length).toBe(o.maxRetries)
        for (const delay of delays) {
          const ms = Duration.toMillis(delay)
          expect(Number.isFinite(ms)).toBe(true)
          expect(ms).toBeGreaterThanOrEqual(Duration.toMillis(Duration.millis(min)))
          expect(ms).toBeLessThanOrEqual(Duration.toMillis(Duration.millis(max)))
        }
      })
  )

  it.effect.prop("the number of executions never exceeds maxRetries + 1", options, (o) =>
    Effect.gen(function*() {
      const { policy } = build({ ...o, first: Math.min(o.first, 1000), cap: Math.min(o.cap, 1000) })
      const op = alwaysFailing("down")
      yield* runToEnd(Effect.retry(op.effect, policy)).pipe(Random.withSeed(o.seed))
      expect(op.starts.length).toBe(o.maxRetries + 1)
    }), { timeout: 60_000, arbitrary: { runs: 50 } })
})
