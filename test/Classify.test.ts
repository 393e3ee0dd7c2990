import { describe, expect, it } from "@effect/vitest"
import { Data } from "effect"
import * as Classify from "../src/Classify.ts"

class Unavailable extends Data.TaggedError("Unavailable") {}
class Throttled extends Data.TaggedError("Throttled") {}
class BadRequest extends Data.TaggedError("BadRequest") {}

const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code })

describe("Classify.tags", () => {
  it("is true for an object whose _tag is listed and false for any other tag", () => {
    const isRetryable = Classify.tags("Unavailable", "Throttled")
    expect(isRetryable(new Unavailable())).toBe(true)
    expect(isRetryable(new Throttled())).toBe(true)
    expect(isRetryable({ _tag: "Unavailable" })).toBe(true)
    expect(isRetryable(new BadRequest())).toBe(false)
    expect(isRetryable({ _tag: "unavailable" })).toBe(false)
  })

  it("is false for values that are not tagged objects", () => {
    const isRetryable = Classify.tags("Unavailable")
    for (const value of [null, undefined, "Unavailable", 1, {}, { tag: "Unavailable" }, { _tag: 1 }]) {
      expect(isRetryable(value)).toBe(false)
    }
  })

  it("reads an inherited _tag", () => {
    const error = Object.create({ _tag: "Unavailable" })
    expect(Classify.tags("Unavailable")(error)).toBe(true)
  })

  it("throws a RangeError naming the function, option, range and value when given no tag", () => {
    expect(() => Classify.tags()).toThrow(
      new RangeError(`Classify.tags: option "tags" must be one or more strings, received []`)
    )
  })

  it("throws a RangeError when a tag is not a string", () => {
    const tags = ["Unavailable", 7] as unknown as ReadonlyArray<string>
    expect(() => Classify.tags(...tags)).toThrow(
      new RangeError(`Classify.tags: option "tags" must be one or more strings, received ["Unavailable",7]`)
    )
  })
})

describe("Classify.isTransientStatus", () => {
  it("lists exactly 408, 425, 429, 500, 502, 503 and 504 as transient, frozen", () => {
    expect(Classify.transientStatuses).toEqual([408, 425, 429, 500, 502, 503, 504])
    expect(Object.isFrozen(Classify.transientStatuses)).toBe(true)
  })

  it("is true for each transient status", () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504]) {
      expect(Classify.isTransientStatus(status)).toBe(true)
    }
  })

  it("is false for 501, the other 4xx and 5xx, successes and redirects", () => {
    for (const status of [501, 505, 511, 400, 401, 403, 404, 409, 410, 422, 200, 204, 301, 304, 100]) {
      expect(Classify.isTransientStatus(status)).toBe(false)
    }
  })

  it("is false, without throwing, for a status no server can send", () => {
    for (const status of [503.5, -503, 0, 99, 600, 5030, NaN, Infinity]) {
      expect(Classify.isTransientStatus(status)).toBe(false)
    }
  })
})

describe("Classify.isTransientNetworkError", () => {
  it("lists the transient codes of Node and undici, frozen", () => {
    expect(Classify.transientNetworkErrorCodes).toEqual([
      "ECONNRESET",
      "ECONNREFUSED",
      "ECONNABORTED",
      "ETIMEDOUT",
      "EPIPE",
      "ENETUNREACH",
      "ENETDOWN",
      "EHOSTUNREACH",
      "EHOSTDOWN",
      "EAI_AGAIN",
      "UND_ERR_SOCKET",
      "UND_ERR_CONNECT_TIMEOUT",
      "UND_ERR_HEADERS_TIMEOUT",
      "UND_ERR_BODY_TIMEOUT"
    ])
    expect(Object.isFrozen(Classify.transientNetworkErrorCodes)).toBe(true)
  })

  it("is true for an error carrying each transient code", () => {
    for (const code of Classify.transientNetworkErrorCodes) {
      expect(Classify.isTransientNetworkError(withCode(code))).toBe(true)
      expect(Classify.isTransientNetworkError({ code })).toBe(true)
    }
  })

  it("is false for codes that a retry does not cure", () => {
    const codes = ["ENOTFOUND", "UND_ERR_CLOSED", "UND_ERR_DESTROYED", "EACCES", "ERR_INVALID_URL", "econnreset"]
    for (const code of codes) {
      expect(Classify.isTransientNetworkError(withCode(code))).toBe(false)
    }
  })

  it("is false for values without a code", () => {
    for (const value of [null, undefined, "ECONNRESET", 104, new Error("ECONNRESET"), { code: 104 }]) {
      expect(Classify.isTransientNetworkError(value)).toBe(false)
    }
  })

  it("finds the code in the cause chain, as in the TypeError of Node's fetch", () => {
    const socket = withCode("UND_ERR_SOCKET", "other side closed")
    expect(Classify.isTransientNetworkError(new TypeError("fetch failed", { cause: socket }))).toBe(true)
    const deeper = new Error("request failed", { cause: new TypeError("fetch failed", { cause: socket }) })
    expect(Classify.isTransientNetworkError(deeper)).toBe(true)
  })

  it("finds the code in an entry of an AggregateError", () => {
    const error = new AggregateError([new Error("no code"), withCode("ECONNREFUSED")], "connect failed")
    expect(Classify.isTransientNetworkError(error)).toBe(true)
    expect(Classify.isTransientNetworkError(new AggregateError([withCode("ENOTFOUND")]))).toBe(false)
  })

  it("terminates on a cyclic cause chain", () => {
    const first: { cause?: unknown } = {}
    const second = { cause: first }
    first.cause = second
    expect(Classify.isTransientNetworkError(first)).toBe(false)
    const cyclicAggregate = new AggregateError([], "loop")
    cyclicAggregate.errors.push(cyclicAggregate, withCode("EPIPE"))
    expect(Classify.isTransientNetworkError(cyclicAggregate)).toBe(true)
  })

  it("examines at most 32 linked errors", () => {
    const chainWithCodeAt = (index: number): unknown => {
      let error: unknown = withCode("ECONNRESET")
      for (let i = 0; i < index; i++) error = { cause: error }
      return error
    }
    expect(Classify.isTransientNetworkError(chainWithCodeAt(31))).toBe(true)
    expect(Classify.isTransientNetworkError(chainWithCodeAt(32))).toBe(false)
  })

  it("treats a property whose getter throws as absent", () => {
    const hostile = {
      get code(): string {
        throw new Error("no")
      },
      get cause(): unknown {
        throw new Error("no")
      }
    }
    expect(Classify.isTransientNetworkError(hostile)).toBe(false)
    expect(Classify.isTransientNetworkError({ cause: hostile, errors: [withCode("ETIMEDOUT")] })).toBe(true)
  })
})

describe("Classify.hasErrorCode", () => {
  it("is true for the given codes only, walking causes like isTransientNetworkError", () => {
    const isDnsFailure = Classify.hasErrorCode("ENOTFOUND", "EAI_AGAIN")
    expect(isDnsFailure(new TypeError("fetch failed", { cause: withCode("ENOTFOUND") }))).toBe(true)
    expect(isDnsFailure(withCode("EAI_AGAIN"))).toBe(true)
    expect(isDnsFailure(withCode("ECONNRESET"))).toBe(false)
  })

  it("throws a RangeError when given no code", () => {
    expect(() => Classify.hasErrorCode()).toThrow(
      new RangeError(`Classify.hasErrorCode: option "codes" must be one or more strings, received []`)
    )
  })
})

describe("Classify.any, Classify.all and Classify.not", () => {
  const isEven = (n: number) => n % 2 === 0
  const isPositive = (n: number) => n > 0

  it("any is true when at least one predicate is true", () => {
    const either = Classify.any(isEven, isPositive)
    expect([either(4), either(3), either(-2), either(-3)]).toEqual([true, true, true, false])
  })

  it("any stops at the first true predicate", () => {
    const calls: Array<string> = []
    const first = (_: unknown) => (calls.push("first"), true)
    const second = (_: unknown) => (calls.push("second"), true)
    expect(Classify.any(first, second)(0)).toBe(true)
    expect(calls).toEqual(["first"])
  })

  it("all is true only when every predicate is true", () => {
    const both = Classify.all(isEven, isPositive)
    expect([both(4), both(3), both(-2), both(-3)]).toEqual([true, false, false, false])
  })

  it("all stops at the first false predicate", () => {
    const calls: Array<string> = []
    const first = (_: unknown) => (calls.push("first"), false)
    const second = (_: unknown) => (calls.push("second"), true)
    expect(Classify.all(first, second)(0)).toBe(false)
    expect(calls).toEqual(["first"])
  })

  it("not inverts a predicate", () => {
    const isRetryable = Classify.not(Classify.tags("BadRequest", "NotFound"))
    expect(isRetryable(new Unavailable())).toBe(true)
    expect(isRetryable(new BadRequest())).toBe(false)
  })

  it("combines tags with the network and HTTP classifiers", () => {
    const isRetryable = Classify.any(Classify.tags("Unavailable"), Classify.isTransientNetworkError)
    expect(isRetryable(new Unavailable())).toBe(true)
    expect(isRetryable(withCode("ECONNRESET"))).toBe(true)
    expect(isRetryable(new BadRequest())).toBe(false)
  })

  it("throws a RangeError when any or all is given no predicate", () => {
    expect(() => Classify.any()).toThrow(
      new RangeError(`Classify.any: option "predicates" must be one or more functions, received []`)
    )
    expect(() => Classify.all()).toThrow(
      new RangeError(`Classify.all: option "predicates" must be one or more functions, received []`)
    )
  })

  it("throws a RangeError when a predicate is not a function", () => {
    const predicates = [isEven, "isPositive"] as unknown as ReadonlyArray<(n: number) => boolean>
    expect(() => Classify.any(...predicates)).toThrow(
      new RangeError(`Classify.any: option "predicates" must be one or more functions, received [null,"isPositive"]`)
    )
  })
})
