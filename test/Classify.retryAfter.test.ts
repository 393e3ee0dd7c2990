import { describe, expect, it } from "@effect/vitest"
import { Duration, Option } from "effect"
import * as Classify from "../src/Classify.ts"

// 23:59:57 GMT on Friday 15 March 2024.
const now = Date.UTC(2024, 2, 15, 23, 59, 57)

const retryAfterMillis = (value: string | null | undefined, at: number | Date = now): number | undefined =>
  Option.getOrUndefined(Option.map(Classify.parseRetryAfter(value, at), Duration.toMillis))

describe("Classify.parseRetryAfter", () => {
  it("reads a number of seconds", () => {
    expect(retryAfterMillis("2")).toBe(2000)
    expect(retryAfterMillis("0")).toBe(0)
    expect(retryAfterMillis("007")).toBe(7000)
    expect(retryAfterMillis("120")).toBe(120_000)
  })

  it("ignores spaces and tabs around the value", () => {
    expect(retryAfterMillis(" 2\t")).toBe(2000)
    expect(retryAfterMillis("\t Fri, 15 Mar 2024 23:59:59 GMT ")).toBe(2000)
  })

  it("reads an IMF-fixdate 2 s after now as 2 s", () => {
    expect(retryAfterMillis("Fri, 15 Mar 2024 23:59:59 GMT")).toBe(2000)
  })

  it("reads an RFC 850 date 2 s after now as 2 s", () => {
    expect(retryAfterMillis("Friday, 15-Mar-24 23:59:59 GMT")).toBe(2000)
  })

  it("reads an asctime date 2 s after now as 2 s, with a two-digit or space-padded day", () => {
    expect(retryAfterMillis("Fri Mar 15 23:59:59 2024")).toBe(2000)
    expect(retryAfterMillis("Tue Mar  5 23:59:59 2024", Date.UTC(2024, 2, 5, 23, 59, 57))).toBe(2000)
  })

  it("measures across midnight and from a now with milliseconds", () => {
    expect(retryAfterMillis("Sat, 16 Mar 2024 00:00:07 GMT")).toBe(10_000)
    expect(retryAfterMillis("Fri, 15 Mar 2024 23:59:59 GMT", now + 250)).toBe(1750)
  })

  it("gives zero for a date in the past or equal to now", () => {
    expect(retryAfterMillis("Fri, 15 Mar 2024 23:59:56 GMT")).toBe(0)
    expect(retryAfterMillis("Fri, 15 Mar 2024 23:59:57 GMT")).toBe(0)
    expect(retryAfterMillis("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(0)
    expect(Classify.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now)).toEqual(Option.some(Duration.zero))
  })

  it("accepts now as a Date", () => {
    expect(retryAfterMillis("Fri, 15 Mar 2024 23:59:59 GMT", new Date(now))).toBe(2000)
  })

  it("reads second 60 (a leap second) as the next second", () => {
    expect(retryAfterMillis("Fri, 15 Mar 2024 23:59:60 GMT")).toBe(3000)
  })

  it("accepts 29 February in a leap year", () => {
    const at = Date.UTC(2024, 1, 29, 11, 59, 58)
    expect(retryAfterMillis("Thu, 29 Feb 2024 12:00:00 GMT", at)).toBe(2000)
  })

  it("reads an RFC 850 two-digit year within the hundred years ending 50 years after now", () => {
    expect(retryAfterMillis("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(0)
    expect(retryAfterMillis("Tuesday, 15-Mar-74 23:59:57 GMT")).toBe(Date.UTC(2074, 2, 15, 23, 59, 57) - now)
    expect(retryAfterMillis("Friday, 15-Mar-75 23:59:57 GMT")).toBe(0)
    const in2099 = Date.UTC(2099, 0, 1)
    expect(retryAfterMillis("Friday, 01-Jan-00 00:00:02 GMT", in2099)).toBe(Date.UTC(2100, 0, 1, 0, 0, 2) - in2099)
    expect(retryAfterMillis("Friday, 01-Jan-49 00:00:02 GMT", in2099)).toBe(Date.UTC(2149, 0, 1, 0, 0, 2) - in2099)
    expect(retryAfterMillis("Friday, 01-Jan-50 00:00:02 GMT", in2099)).toBe(0)
  })

  it("gives none for values that are not a whole number of seconds", () => {
    for (const value of ["", "   ", "-2", "+2", "1.5", "1e3", "0x10", "2 s", "2s", "Infinity", "NaN", "1,2", "٣"]) {
      expect(Classify.parseRetryAfter(value, now)).toEqual(Option.none())
    }
  })

  it("gives none for a missing header", () => {
    expect(Classify.parseRetryAfter(null, now)).toEqual(Option.none())
    expect(Classify.parseRetryAfter(undefined, now)).toEqual(Option.none())
  })

  it("gives none for calendar dates and times that do not exist", () => {
    for (
      const value of [
        "Fri, 30 Feb 2024 00:00:00 GMT",
        "Wed, 29 Feb 2023 00:00:00 GMT",
        "Mon, 29 Feb 2100 00:00:00 GMT",
        "Mon, 31 Apr 2024 00:00:00 GMT",
        "Mon, 00 Apr 2024 00:00:00 GMT",
        "Fri, 15 Mar 2024 25:00:00 GMT",
        "Fri, 15 Mar 2024 24:00:00 GMT",
        "Fri, 15 Mar 2024 23:60:00 GMT",
        "Fri, 15 Mar 2024 23:59:61 GMT",
        "Friday, 31-Jun-24 00:00:00 GMT",
        "Sun Jun 31 00:00:00 2024"
      ]
    ) {
      expect(Classify.parseRetryAfter(value, now)).toEqual(Option.none())
    }
  })

  it("gives none for date forms outside RFC 9110, even those Date.parse accepts", () => {
    for (
      const value of [
        "fri, 15 mar 2024 23:59:59 gmt",
        "FRI, 15 MAR 2024 23:59:59 GMT",
        "Fri, 15 Mar 2024 23:59:59 UTC",
        "Fri, 15 Mar 2024 23:59:59 +0000",
        "Fri, 15 Mar 2024 23:59:59",
        "Fri, 5 Mar 2024 23:59:59 GMT",
        "Fri,  15 Mar 2024 23:59:59 GMT",
        "Fri 15 Mar 2024 23:59:59 GMT",
        "Friday, 15 Mar 2024 23:59:59 GMT",
        "Fri, 15-Mar-24 23:59:59 GMT",
        "Friday, 15-Mar-2024 23:59:59 GMT",
        "Fri Mar 5 23:59:59 2024",
        "Fri Mar 15 23:59:59 2024 GMT",
        "Fri, 15 Mar 2024 3:59:59 GMT",
        "2024-03-15T23:59:59Z",
        "March 15, 2024",
        "Fri, 15 Mar 2024 23:59:59 GMT, Fri, 15 Mar 2024 23:59:59 GMT",
        "1, 2"
      ]
    ) {
      expect(Classify.parseRetryAfter(value, now)).toEqual(Option.none())
    }
  })

  it("answers in linear time on a long hostile value", () => {
    const hostile = `2${" ".repeat(200_000)}x`
    expect(Classify.parseRetryAfter(hostile, now)).toEqual(Option.none())
    expect(retryAfterMillis(`${" ".repeat(200_000)}2${"\t".repeat(200_000)}`)).toBe(2000)
  })

  it("does not check the day name against the date", () => {
    expect(retryAfterMillis("Mon, 15 Mar 2024 23:59:59 GMT")).toBe(2000)
  })

  it("keeps a very long hint exactly instead of capping it", () => {
    // 484289 hours, a hint seen in the wild.
    expect(retryAfterMillis("1743440400")).toBe(1_743_440_400_000)
    const largestInMillis = Option.getOrThrow(Classify.parseRetryAfter("9007199254740", now))
    expect(largestInMillis.value).toEqual({ _tag: "Millis", millis: 9_007_199_254_740_000 })
    const beyondMillis = Option.getOrThrow(Classify.parseRetryAfter("9007199254741", now))
    expect(beyondMillis.value).toEqual({ _tag: "Nanos", nanos: 9_007_199_254_741_000_000_000n })
    const huge = Option.getOrThrow(Classify.parseRetryAfter("9".repeat(400), now))
    expect(Duration.isFinite(huge)).toBe(true)
    expect(Duration.toNanosUnsafe(huge)).toBe(BigInt("9".repeat(400)) * 1_000_000_000n)
  })

  it("throws a RangeError naming the function, option, range and value when now is not a valid instant", () => {
    const message = (received: string) =>
      `Classify.parseRetryAfter: option "now" must be a valid Date or finite epoch milliseconds within ±8.64e15, ` +
      `received ${received}`
    expect(() => Classify.parseRetryAfter("2", NaN)).toThrow(new RangeError(message("NaN")))
    expect(() => Classify.parseRetryAfter("2", Infinity)).toThrow(new RangeError(message("Infinity")))
    expect(() => Classify.parseRetryAfter(null, 8.64e15 + 1)).toThrow(new RangeError(message("8640000000000001")))
    expect(() => Classify.parseRetryAfter("2", new Date("not a date"))).toThrow(
      new RangeError(message(`"Invalid Date"`))
    )
  })

  it("accepts the extremes of the Date range as now", () => {
    expect(retryAfterMillis("2", 8.64e15)).toBe(2000)
    const date = Date.UTC(2024, 2, 15, 23, 59, 59)
    expect(retryAfterMillis("Fri, 15 Mar 2024 23:59:59 GMT", -8.64e15)).toBe(date + 8.64e15)
  })
})
