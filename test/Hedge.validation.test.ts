import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as Hedge from "../src/Hedge.ts"

const program = Effect.succeed("ok")

// Each entry: options (as a caller might pass them from untyped input), then the exact message.
const bad: ReadonlyArray<readonly [unknown, string]> = [
  [{ delay: 50, maxHedged: 11 }, `Hedge.race: option "maxHedged" must be an integer in [1, 10], received 11`],
  [{ delay: 50, maxHedged: 0 }, `Hedge.race: option "maxHedged" must be an integer in [1, 10], received 0`],
  [{ delay: 50, maxHedged: 1.5 }, `Hedge.race: option "maxHedged" must be an integer in [1, 10], received 1.5`],
  [{ delay: 50, maxHedged: NaN }, `Hedge.race: option "maxHedged" must be an integer in [1, 10], received NaN`],
  [{ delay: 50, maxHedged: "2" }, `Hedge.race: option "maxHedged" must be an integer in [1, 10], received "2"`],
  [{ delay: -1 }, `Hedge.race: option "delay" must be a finite, non-negative duration, received -1`],
  [{ delay: Infinity }, `Hedge.race: option "delay" must be a finite, non-negative duration, received Infinity`],
  [
    { delay: Duration.infinity },
    `Hedge.race: option "delay" must be a finite, non-negative duration, received Duration(Infinity)`
  ],
  [{ delay: "soon" }, `Hedge.race: option "delay" must be a finite, non-negative duration, received "soon"`],
  [{}, `Hedge.race: option "delay" must be a finite, non-negative duration, received undefined`],
  [{ delay: 50, isRetryable: true }, `Hedge.race: option "isRetryable" must be a function, received true`],
  [{ delay: 50, budget: "" }, `Hedge.race: option "budget" must be a non-empty string, received ""`],
  [{ delay: 50, name: "" }, `Hedge.race: option "name" must be a non-empty string, received ""`],
  [{ delay: 50, name: 7 }, `Hedge.race: option "name" must be a non-empty string, received 7`],
  [
    null,
    `Hedge.race: option "options" must be an object { delay, maxHedged?, isRetryable?, budget?, name? }, received null`
  ]
]

describe("Hedge.race validation", () => {
  it("raises a RangeError naming the option, the allowed range and the value received", () => {
    for (const [options, message] of bad) {
      expect(() => Hedge.race(program, options as Hedge.Options)).toThrow(new RangeError(message))
    }
  })

  it("validates in the pipeable form as soon as it is called, before it is applied to a program", () => {
    for (const [options, message] of bad) {
      expect(() => Hedge.race(options as Hedge.Options)).toThrow(new RangeError(message))
    }
  })

  it("accepts the bounds of every range", () => {
    const good: ReadonlyArray<Hedge.Options> = [{ delay: 0, maxHedged: 1 }, { delay: "2 seconds", maxHedged: 10 }]
    for (const options of good) {
      expect(() => Hedge.race(program, options)).not.toThrow()
    }
  })
})
