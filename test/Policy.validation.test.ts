import { describe, expect, it } from "@effect/vitest"
import * as Policy from "../src/Policy.ts"

const rejects = (build: () => unknown, message: string) => expect(build).toThrow(new RangeError(message))

const duration = "a finite, non-negative duration"

describe("Policy bad input", () => {
  it("bad durations raise a RangeError naming the function, the option, the range and the value", () => {
    rejects(() => Policy.constant({ delay: -1 }), `Policy.constant: option "delay" must be ${duration}, received -1`)
    rejects(() => Policy.linear({ base: NaN }), `Policy.linear: option "base" must be ${duration}, received NaN`)
    rejects(
      () => Policy.exponential({ max: Infinity }),
      `Policy.exponential: option "max" must be ${duration}, received Infinity`
    )
    rejects(
      () => Policy.fibonacci({ base: "Infinity" }),
      `Policy.fibonacci: option "base" must be ${duration}, received "Infinity"`
    )
    rejects(
      () => Policy.decorrelated({ maxElapsed: "-5 seconds" }),
      `Policy.decorrelated: option "maxElapsed" must be ${duration}, received "-5 seconds"`
    )
    rejects(
      () => Policy.exponential({ min: "soon" as any }),
      `Policy.exponential: option "min" must be ${duration}, received "soon"`
    )
    rejects(
      () => Policy.withMaxElapsed(Policy.constant(), -3),
      `Policy.withMaxElapsed: option "maxElapsed" must be ${duration}, received -3`
    )
    rejects(
      () => Policy.constant().pipe(Policy.withMaxDelay(NaN)),
      `Policy.withMaxDelay: option "max" must be ${duration}, received NaN`
    )
  })

  it("duration objects and tuples with NaN, no field or an unknown field raise a RangeError, not zero", () => {
    rejects(
      () => Policy.exponential({ base: { seconds: NaN } }),
      `Policy.exponential: option "base" must be ${duration}, received {"seconds":NaN}`
    )
    rejects(
      () => Policy.exponential({ base: {} }),
      `Policy.exponential: option "base" must be ${duration}, received {}`
    )
    rejects(
      () => Policy.constant({ maxElapsed: { secs: 5 } as any }),
      `Policy.constant: option "maxElapsed" must be ${duration}, received {"secs":5}`
    )
    rejects(
      () => Policy.linear({ base: [NaN, 0] }),
      `Policy.linear: option "base" must be ${duration}, received [NaN,0]`
    )
    rejects(
      () => Policy.linear({ base: { seconds: undefined } }),
      `Policy.linear: option "base" must be ${duration}, received {}`
    )
    expect(Policy.describe(Policy.linear({ base: { seconds: 1, milliseconds: 500 } })).base).toBe(1500)
  })

  it("a factor below 1 or not finite raises a RangeError", () => {
    rejects(
      () => Policy.exponential({ factor: 0.5 }),
      `Policy.exponential: option "factor" must be a finite number >= 1, received 0.5`
    )
    rejects(
      () => Policy.exponential({ factor: Infinity }),
      `Policy.exponential: option "factor" must be a finite number >= 1, received Infinity`
    )
    rejects(
      () => Policy.exponential({ factor: NaN }),
      `Policy.exponential: option "factor" must be a finite number >= 1, received NaN`
    )
  })

  it("a negative or fractional retry count raises a RangeError; Infinity is allowed", () => {
    const allowed = "a non-negative integer, or Infinity for unlimited retries"
    rejects(
      () => Policy.exponential({ maxRetries: -1 }),
      `Policy.exponential: option "maxRetries" must be ${allowed}, received -1`
    )
    rejects(
      () => Policy.linear({ maxRetries: 2.5 }),
      `Policy.linear: option "maxRetries" must be ${allowed}, received 2.5`
    )
    rejects(
      () => Policy.constant().pipe(Policy.withMaxRetries(NaN)),
      `Policy.withMaxRetries: option "maxRetries" must be ${allowed}, received NaN`
    )
    expect(() => Policy.exponential({ maxRetries: Infinity })).not.toThrow()
  })

  it("contradictory bounds raise a RangeError instead of being silently replaced", () => {
    rejects(
      () => Policy.exponential({ min: 500, max: 100 }),
      `Policy.exponential: option "min" must be a duration <= max (100 ms), received 500`
    )
    rejects(
      () => Policy.exponential({ base: "1 minute" }),
      `Policy.exponential: option "base" must be a duration <= max (20000 ms, the default), received "1 minute"`
    )
    rejects(
      () => Policy.constant({ delay: 200, max: 100 }),
      `Policy.constant: option "delay" must be a duration <= max (100 ms), received 200`
    )
    rejects(
      () => Policy.exponential({ min: 300 }).pipe(Policy.withMaxDelay(200)),
      `Policy.withMaxDelay: option "max" must be a duration >= the policy's min (300 ms), received 200`
    )
  })

  it("options that are not an object, or name an unknown option, raise a RangeError", () => {
    expect(() => Policy.exponential(null as any)).toThrow(
      new RangeError(`Policy.exponential: options must be an object, received null`)
    )
    rejects(
      () => Policy.exponential({ baseDelay: 5 } as any),
      `Policy.exponential: option "baseDelay" must be one of "jitter", "maxRetries", "maxElapsed", "min", "max", ` +
        `"base", "factor", received "baseDelay"`
    )
  })

  it("a max below the policy's first delay raises a RangeError instead of capping it silently", () => {
    rejects(
      () => Policy.exponential().pipe(Policy.withMaxDelay(10)),
      `Policy.withMaxDelay: option "max" must be a duration >= the policy's first delay (100 ms), which it would ` +
        `silently cap, received 10`
    )
    expect(() => Policy.constant({ delay: 10 }).pipe(Policy.withMaxDelay(10))).not.toThrow()
  })

  it("a constant delay longer than the default max of other curves is accepted", () => {
    expect(() => Policy.constant({ delay: "1 minute" })).not.toThrow()
  })

  it("preview retries must be a finite non-negative integer", () => {
    rejects(
      () => Policy.delays(Policy.constant(), { retries: Infinity }),
      `Policy.delays: option "retries" must be a finite non-negative integer, received Infinity`
    )
    expect(() => Policy.delays(Policy.constant(), { retries: -1 })).toThrow(RangeError)
  })

  it("a value that is not a policy raises a RangeError", () => {
    rejects(
      () => Policy.withMaxRetries({} as any, 1),
      `Policy: option "self" must be a Policy, received {}`
    )
  })
})
