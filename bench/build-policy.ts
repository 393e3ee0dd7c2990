/**
 * Case: building a policy from a constructor and five combinators. Policies are usually built once per call site,
 * but some applications build them per request (from per-tenant settings), where this cost is paid every time.
 */
import { ExponentialBackoff, handleWhen, retry, timeout, TimeoutStrategy, wrap } from "cockatiel"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Policy from "../src/Policy.ts"
import { type Competitor, measure, type Plan } from "./harness.ts"
import type { Case, Row } from "./model.ts"
import { formatSpread } from "./stats.ts"

const plan: Plan = { rounds: 20, roundMillis: 25, batchMicros: 200 }
const maxDelay = Duration.seconds(2)
const always = (_: unknown) => true

interface Entry {
  readonly competitor: Competitor
  readonly name: string
  readonly includes: string
}

const isObject = (result: unknown): boolean => typeof result === "object" && result !== null

const entries: ReadonlyArray<Entry> = [
  {
    name: "hand-written: a plain options object",
    includes: "Allocating one object literal with seven fields; no validation.",
    competitor: {
      id: "hand",
      check: isObject,
      sync: () => ({
        base: 100,
        factor: 2,
        maxRetries: 5,
        jitter: 0.2,
        maxDelay: 2_000,
        maxElapsed: 30_000,
        retryWhile: always
      })
    }
  },
  {
    name: "Effect Schedule: `exponential` + `upTo` + `jittered` + `modifyDelay` + `upTo` + `while`",
    includes: "Six `Schedule` values, each a prototype object wrapping the previous step; durations decoded.",
    competitor: {
      id: "effect",
      check: Schedule.isSchedule,
      sync: () =>
        Schedule.exponential("100 millis").pipe(
          Schedule.upTo({ times: 5 }),
          Schedule.jittered,
          Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, maxDelay))),
          Schedule.upTo({ duration: "30 seconds" }),
          Schedule.while(() => true)
        )
    }
  },
  {
    name: "ours: `exponential` + `withMaxRetries` + `withJitter` + `withMaxDelay` + `withMaxElapsed` + `retryWhile`",
    includes: "Six validated configs, each copied from the previous one and wrapped in a new `Schedule`.",
    competitor: {
      id: "ours",
      check: Policy.isPolicy,
      sync: () =>
        Policy.exponential().pipe(
          Policy.withMaxRetries(5),
          Policy.withJitter(0.2),
          Policy.withMaxDelay("2 seconds"),
          Policy.withMaxElapsed("30 seconds"),
          Policy.retryWhile(always)
        )
    }
  },
  {
    name: "cockatiel: `wrap(timeout(30 s), retry(handleWhen(…), { maxAttempts, backoff }))`",
    includes: "`handleWhen`, `ExponentialBackoff` (jittered, capped), `retry`, `timeout`, `wrap`: event emitters and " +
      "executor objects.",
    competitor: {
      id: "cockatiel",
      check: isObject,
      sync: () =>
        wrap(
          timeout(30_000, TimeoutStrategy.Aggressive),
          retry(handleWhen(always), { maxAttempts: 5, backoff: new ExponentialBackoff({ maxDelay: 2_000 }) })
        )
    }
  },
  {
    name: "p-retry: its options object",
    includes: "The same as the hand-written object: p-retry copies and validates options on every call instead.",
    competitor: {
      id: "p-retry",
      check: isObject,
      sync: () => ({
        retries: 5,
        factor: 2,
        minTimeout: 100,
        maxTimeout: 2_000,
        randomize: true,
        maxRetryTime: 30_000,
        shouldRetry: always
      })
    }
  }
]

export const buildPolicy: Case = {
  id: "build-policy",
  title: "Building a policy with five combinators",
  run: async () => {
    const stats = await measure(entries.map((entry) => entry.competitor), plan)
    return {
      method: [
        "Each competitor builds the same policy: exponential backoff from 100 ms, 5 retries, 20 % jitter, delays " +
        "capped at 2 s, 30 s in total, and a retry predicate. The figure is the median time to build one."
      ],
      tables: [{
        id: "build",
        caption: "Building one policy",
        unit: "per policy",
        kind: "time",
        columns: ["spread"],
        rows: entries.map((entry): Row => {
          const own = stats.get(entry.competitor.id)!
          return {
            id: entry.competitor.id,
            name: entry.name,
            figure: own.median,
            cells: [formatSpread(own)],
            includes: entry.includes
          }
        })
      }],
      workloads: new Map(entries.map((entry) => [`build/${entry.competitor.id}`, entry.competitor])),
      notes: [
        "The libraries spread jitter differently: ours `withJitter(0.2)` and Effect's `jittered` both scale each " +
        "delay by a factor in [0.8, 1.2]; cockatiel's default `ExponentialBackoff` uses decorrelated jitter.",
        "cockatiel's `timeout` bounds the whole retried call, the closest match to `withMaxElapsed`."
      ]
    }
  }
}
