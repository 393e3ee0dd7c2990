import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Data, Effect, Exit, Fiber, Layer, Metric } from "effect"
import { TestClock } from "effect/testing"
import * as Bulkhead from "../src/Bulkhead.ts"
import * as Hedge from "../src/Hedge.ts"
import * as RetryBudget from "../src/RetryBudget.ts"
import { runToEnd } from "./helpers.ts"
import { isolatedMetrics, recordingLogger, recordingTracer, series } from "./telemetry.ts"

class Unavailable extends Data.TaggedError("Unavailable")<{ readonly replica: number }> {}
class NotFound extends Data.TaggedError("NotFound")<{}> {}

type Line<E> =
  | { readonly ms: number; readonly ok: string }
  | { readonly ms: number; readonly fail: E }
  | { readonly ms: number; readonly die: string }

const describeExit = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return `success ${exit.value}`
  if (Cause.hasInterruptsOnly(exit.cause)) return "interrupted"
  if (Cause.hasDies(exit.cause)) return `defect ${Cause.squash(exit.cause)}`
  const error = Cause.squash(exit.cause) as { readonly _tag?: string }
  return `failure ${error._tag ?? String(error)}`
}

/**
 * A dependency whose n-th attempt follows the n-th line of its script: it runs for `ms` on the TestClock, then
 * succeeds, fails or dies. It logs each start, and each end from a finalizer with how the attempt ended, and counts
 * the attempts running. `call` runs a program built on it to its end and logs when the program returned; times
 * are logged from the start of the latest `call`.
 */
const dependency = <E = never>(...script: ReadonlyArray<Line<E>>) => {
  const log: Array<string> = []
  const state = { attempts: 0, running: 0 }
  let origin = 0
  const at = Effect.map(Clock.currentTimeMillis, (now) => now - origin)
  const effect: Effect.Effect<string, E> = Effect.suspend(() => {
    const n = ++state.attempts
    const line = script[n - 1]
    if (line === undefined) return Effect.die(`attempt #${n} is not in the script`)
    return Effect.gen(function*() {
      log.push(`#${n} starts at ${yield* at}`)
      state.running++
      yield* Effect.sleep(line.ms)
      if ("ok" in line) return line.ok
      if ("fail" in line) return yield* Effect.fail(line.fail)
      return yield* Effect.die(line.die)
    }).pipe(Effect.onExit((exit) =>
      Effect.map(at, (now) => {
        state.running--
        log.push(`#${n} ends at ${now}: ${describeExit(exit)}`)
      })
    ))
  })
  const call = <A, E2, R>(program: Effect.Effect<A, E2, R>) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      origin = now
      return runToEnd(program.pipe(
        Effect.onExit((exit) => Effect.map(at, (now) => log.push(`call ends at ${now}: ${describeExit(exit)}`)))
      ))
    })
  return { effect, log, state, call }
}

describe("Hedge.race on delay", () => {
  it.effect("returns the primary attempt's success without hedging when it comes before the delay", () =>
    Effect.gen(function*() {
      const dep = dependency({ ms: 30, ok: "a" })
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50, maxHedged: 3 }))
      expect(exit).toStrictEqual(Exit.succeed("a"))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#1 ends at 30: success a",
        "call ends at 30: success a"
      ])
    }))

  it.effect("starts a hedge after the delay, keeps the first success, and awaits the interrupted loser", () =>
    Effect.gen(function*() {
      const dep = dependency({ ms: 1000, ok: "slow" }, { ms: 10, ok: "fast" })
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50 }))
      expect(exit).toStrictEqual(Exit.succeed("fast"))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#2 ends at 60: success fast",
        "#1 ends at 60: interrupted",
        "call ends at 60: success fast"
      ])
      expect(dep.state).toStrictEqual({ attempts: 2, running: 0 })
    }))

  it.effect("keeps the primary attempt's success when it comes first after a hedge started", () =>
    Effect.gen(function*() {
      const dep = dependency({ ms: 70, ok: "primary" }, { ms: 100, ok: "hedge" })
      const exit = yield* dep.call(dep.effect.pipe(Hedge.race({ delay: 50 })))
      expect(exit).toStrictEqual(Exit.succeed("primary"))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#1 ends at 70: success primary",
        "#2 ends at 70: interrupted",
        "call ends at 70: success primary"
      ])
    }))

  it.effect("starts each further hedge a delay after the previous one, and never more than maxHedged", () =>
    Effect.gen(function*() {
      const slow = { ms: 1000, ok: "slow" }
      const dep = dependency(slow, slow, slow, slow)
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: "50 millis", maxHedged: 3 }))
      expect(exit).toStrictEqual(Exit.succeed("slow"))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#3 starts at 100",
        "#4 starts at 150",
        "#1 ends at 1000: success slow",
        "#2 ends at 1000: interrupted",
        "#3 ends at 1000: interrupted",
        "#4 ends at 1000: interrupted",
        "call ends at 1000: success slow"
      ])
    }))

  it.effect("with a delay of 0, starts every hedge at once", () =>
    Effect.gen(function*() {
      const dep = dependency({ ms: 30, ok: "a" }, { ms: 20, ok: "b" }, { ms: 10, ok: "c" })
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 0, maxHedged: 2 }))
      expect(exit).toStrictEqual(Exit.succeed("c"))
      expect(dep.log.slice(0, 4)).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 0",
        "#3 starts at 0",
        "#3 ends at 10: success c"
      ])
    }))

  it.effect("waits for a loser's finalizers, however long they take, before returning", () =>
    Effect.gen(function*() {
      const dep = dependency({ ms: 10, ok: "hedge" })
      const log: Array<string> = []
      const primary = Effect.never.pipe(
        Effect.onInterrupt(() =>
          Effect.sleep(25).pipe(
            Effect.andThen(Clock.currentTimeMillis),
            Effect.map((now) => void log.push(`primary cleaned up at ${now}`))
          )
        )
      )
      let attempts = 0
      const program = Effect.suspend(() => attempts++ === 0 ? primary : dep.effect)
      const exit = yield* runToEnd(
        Hedge.race(program, { delay: 50 }).pipe(
          Effect.tap(() => Effect.map(Clock.currentTimeMillis, (now) => void log.push(`returned at ${now}`)))
        )
      )
      expect(exit).toStrictEqual(Exit.succeed("hedge"))
      expect(log).toStrictEqual(["primary cleaned up at 85", "returned at 85"])
    }))

  it.effect("has the same behaviour in its data-first and pipeable forms", () =>
    Effect.gen(function*() {
      const script = [{ ms: 1000, ok: "slow" }, { ms: 10, ok: "fast" }] as const
      const first = dependency(...script)
      const piped = dependency(...script)
      yield* first.call(Hedge.race(first.effect, { delay: 50, maxHedged: 1 }))
      yield* piped.call(piped.effect.pipe(Hedge.race({ delay: 50, maxHedged: 1 })))
      expect(piped.log).toStrictEqual(first.log)
    }))
})

describe("Hedge.race on failures", () => {
  it.effect("starts the next hedge at once after a retryable failure, and counts the next delay from it", () =>
    Effect.gen(function*() {
      const dep = dependency<Unavailable>(
        { ms: 20, fail: new Unavailable({ replica: 1 }) },
        { ms: 1000, ok: "b" },
        { ms: 10, ok: "c" }
      )
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50, maxHedged: 2 }))
      expect(exit).toStrictEqual(Exit.succeed("c"))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#1 ends at 20: failure Unavailable",
        "#2 starts at 20",
        "#3 starts at 70",
        "#3 ends at 80: success c",
        "#2 ends at 80: interrupted",
        "call ends at 80: success c"
      ])
    }))

  it.effect("fails with the primary attempt's failure when every attempt fails, even if it fails last", () =>
    Effect.gen(function*() {
      const dep = dependency<Unavailable>(
        { ms: 100, fail: new Unavailable({ replica: 1 }) },
        { ms: 10, fail: new Unavailable({ replica: 2 }) },
        { ms: 10, fail: new Unavailable({ replica: 3 }) }
      )
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50, maxHedged: 2 }))
      expect(exit).toStrictEqual(Exit.fail(new Unavailable({ replica: 1 })))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#2 ends at 60: failure Unavailable",
        "#3 starts at 60",
        "#3 ends at 70: failure Unavailable",
        "#1 ends at 100: failure Unavailable",
        "call ends at 100: failure Unavailable"
      ])
    }))

  it.effect("fails with the primary attempt's failure when every attempt fails, even if it fails first", () =>
    Effect.gen(function*() {
      const dep = dependency<Unavailable>(
        { ms: 10, fail: new Unavailable({ replica: 1 }) },
        { ms: 20, fail: new Unavailable({ replica: 2 }) },
        { ms: 300, fail: new Unavailable({ replica: 3 }) }
      )
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50, maxHedged: 2 }))
      expect(exit).toStrictEqual(Exit.fail(new Unavailable({ replica: 1 })))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#1 ends at 10: failure Unavailable",
        "#2 starts at 10",
        "#2 ends at 30: failure Unavailable",
        "#3 starts at 30",
        "#3 ends at 330: failure Unavailable",
        "call ends at 330: failure Unavailable"
      ])
    }))

  it.effect("runs at most maxHedged + 1 attempts, however many fail", () =>
    Effect.gen(function*() {
      const failing = Array.from({ length: 12 }, (_, i) => ({ ms: 0, fail: new Unavailable({ replica: i + 1 }) }))
      const dep = dependency<Unavailable>(...failing)
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50, maxHedged: 10 }))
      expect(exit).toStrictEqual(Exit.fail(new Unavailable({ replica: 1 })))
      expect(dep.state).toStrictEqual({ attempts: 11, running: 0 })
      expect(dep.log.at(-1)).toBe("call ends at 0: failure Unavailable")
    }))

  it.effect("ends the call at once with a failure isRetryable rejects, interrupting the attempts still running", () =>
    Effect.gen(function*() {
      const dep = dependency<Unavailable | NotFound>({ ms: 1000, ok: "a" }, { ms: 10, fail: new NotFound() })
      const seen: Array<string> = []
      const hedged = Hedge.race(dep.effect, {
        delay: 50,
        maxHedged: 3,
        isRetryable: (error) => {
          seen.push(error._tag)
          return error._tag === "Unavailable"
        }
      })
      const exit = yield* dep.call(hedged)
      expect(exit).toStrictEqual(Exit.fail(new NotFound()))
      expect(seen).toStrictEqual(["NotFound"])
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#2 ends at 60: failure NotFound",
        "#1 ends at 60: interrupted",
        "call ends at 60: failure NotFound"
      ])
    }))

  it.effect("ends the call at once with a defect, interrupting the attempts still running", () =>
    Effect.gen(function*() {
      const dep = dependency({ ms: 1000, ok: "a" }, { ms: 10, die: "bug" })
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50, maxHedged: 3 }))
      expect(exit).toStrictEqual(Exit.die("bug"))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#2 ends at 60: defect bug",
        "#1 ends at 60: interrupted",
        "call ends at 60: defect bug"
      ])
    }))

  it.effect("takes a rejection of this library's as that attempt's failure and starts no further hedge", () =>
    Effect.gen(function*() {
      const rejected = new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: 0 })
      const dep = dependency<Bulkhead.BulkheadRejected>({ ms: 1000, ok: "a" }, { ms: 0, fail: rejected })
      const seen: Array<unknown> = []
      const isRetryable = (error: unknown) => seen.push(error) > 0
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50, maxHedged: 3, isRetryable }))
      expect(exit).toStrictEqual(Exit.succeed("a"))
      expect(seen).toStrictEqual([])
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#2 ends at 50: failure BulkheadRejected",
        "#1 ends at 1000: success a",
        "call ends at 1000: success a"
      ])
    }))

  it.effect("fails at once, without hedging, when the primary attempt is rejected", () =>
    Effect.gen(function*() {
      const rejected = new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: 0 })
      const dep = dependency<Bulkhead.BulkheadRejected>({ ms: 0, fail: rejected })
      const exit = yield* dep.call(Hedge.race(dep.effect, { delay: 50, maxHedged: 3 }))
      expect(exit).toStrictEqual(Exit.fail(rejected))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#1 ends at 0: failure BulkheadRejected",
        "call ends at 0: failure BulkheadRejected"
      ])
    }))
})

/** A budget store that answers `acquire` from a script and logs every operation with its time. */
const scriptedBudget = (grants: ReadonlyArray<boolean>) => {
  const log: Array<string> = []
  let asked = 0
  const store: RetryBudget.Store = {
    call: (key, now) => Effect.sync(() => void log.push(`call ${key} at ${now}`)),
    failure: (key, now) => Effect.sync(() => void log.push(`failure ${key} at ${now}`)),
    success: (key, now) => Effect.sync(() => void log.push(`success ${key} at ${now}`)),
    acquire: (key, now) =>
      Effect.sync(() => {
        const granted = grants[asked++] ?? false
        log.push(`acquire ${key} at ${now}: ${granted ? "granted" : "refused"}`)
        return granted
      }),
    state: () => Effect.die("not used")
  }
  return { log, layer: Layer.succeed(RetryBudget.RetryBudget, store) }
}

describe("Hedge.race with a budget", () => {
  it.effect("asks the budget for each hedge; a refusal stops hedging while the running attempts go on", () =>
    Effect.gen(function*() {
      const budget = scriptedBudget([true, false])
      const slow = { ms: 1000, ok: "slow" }
      const dep = dependency(slow, slow, slow, slow)
      const hedged = Hedge.race(dep.effect, { delay: 50, maxHedged: 3, budget: "search" })
      const exit = yield* dep.call(Effect.provide(hedged, budget.layer))
      expect(exit).toStrictEqual(Exit.succeed("slow"))
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#1 ends at 1000: success slow",
        "#2 ends at 1000: interrupted",
        "call ends at 1000: success slow"
      ])
      expect(budget.log).toStrictEqual([
        "call search at 0",
        "acquire search at 50: granted",
        "acquire search at 100: refused",
        "success search at 1000"
      ])
    }))

  it.effect("fails with the primary attempt's failure when the hedge its failure asked for is refused", () =>
    Effect.gen(function*() {
      const budget = scriptedBudget([false])
      const dep = dependency<Unavailable>({ ms: 10, fail: new Unavailable({ replica: 1 }) })
      const hedged = Hedge.race(dep.effect, { delay: 50, budget: "search" })
      const exit = yield* dep.call(Effect.provide(hedged, budget.layer))
      expect(exit).toStrictEqual(Exit.fail(new Unavailable({ replica: 1 })))
      expect(budget.log).toStrictEqual([
        "call search at 0",
        "failure search at 10",
        "acquire search at 10: refused"
      ])
      expect(dep.log.at(-1)).toBe("call ends at 10: failure Unavailable")
    }))

  it.effect("with an in-memory token bucket, hedges failing attempts until the bucket falls to half", () =>
    Effect.gen(function*() {
      const failing = Array.from({ length: 11 }, (_, i) => ({ ms: 0, fail: new Unavailable({ replica: i + 1 }) }))
      const dep = dependency<Unavailable>(...failing)
      const hedged = Hedge.race(dep.effect, { delay: 50, maxHedged: 10, budget: "search" })
      const layer = RetryBudget.layerMemory({ algorithm: "token-bucket", maxTokens: 10 })
      const exit = yield* dep.call(Effect.provide(hedged, layer))
      // Each failure takes a token: after 5, the bucket holds 5, which is not above half of 10.
      expect(exit).toStrictEqual(Exit.fail(new Unavailable({ replica: 1 })))
      expect(dep.state).toStrictEqual({ attempts: 5, running: 0 })
    }))
})

describe("Hedge.race interruption", () => {
  it.effect("interrupting the call interrupts every attempt at once and returns once all have ended", () =>
    Effect.gen(function*() {
      const slow = { ms: 1000, ok: "slow" }
      const dep = dependency(slow, slow, slow)
      const fiber = yield* Effect.forkChild(Hedge.race(dep.effect, { delay: 50, maxHedged: 2 }))
      yield* TestClock.adjust(120)
      expect(dep.state).toStrictEqual({ attempts: 3, running: 3 })
      yield* Fiber.interrupt(fiber)
      expect(dep.state).toStrictEqual({ attempts: 3, running: 0 })
      expect(dep.log).toStrictEqual([
        "#1 starts at 0",
        "#2 starts at 50",
        "#3 starts at 100",
        "#1 ends at 120: interrupted",
        "#2 ends at 120: interrupted",
        "#3 ends at 120: interrupted"
      ])
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)).toBe(true)
      // No timer is left behind: moving the clock on starts nothing.
      yield* TestClock.adjust("1 hour")
      expect(dep.state).toStrictEqual({ attempts: 3, running: 0 })
    }))

  it.effect("interrupting the call before a hedge is due starts no hedge", () =>
    Effect.gen(function*() {
      const dep = dependency({ ms: 1000, ok: "slow" })
      const fiber = yield* Effect.forkChild(Hedge.race(dep.effect, { delay: 50 }), { startImmediately: true })
      yield* TestClock.adjust(20)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 hour")
      expect(dep.log).toStrictEqual(["#1 starts at 0", "#1 ends at 20: interrupted"])
    }))
})

describe("Hedge.race telemetry", () => {
  it.effect("counts attempts by kind and calls by outcome under its name", () =>
    Effect.gen(function*() {
      const dep = dependency<Unavailable>(
        { ms: 10, ok: "a" }, // call 1: the primary attempt wins
        { ms: 1000, ok: "b" }, // call 2: the hedge wins
        { ms: 10, ok: "c" },
        { ms: 10, fail: new Unavailable({ replica: 1 }) }, // call 3: both attempts fail
        { ms: 10, fail: new Unavailable({ replica: 2 }) }
      )
      const hedged = Hedge.race(dep.effect, { delay: 50, name: "profiles" })
      for (let i = 0; i < 3; i++) yield* dep.call(hedged)
      const count = (id: string, attributes: Record<string, string>) =>
        Effect.map(series(id, { policy: "profiles", ...attributes }), (state) => state?.count)
      expect(yield* count("resilience_hedge_attempts_total", { kind: "primary" })).toBe(3)
      expect(yield* count("resilience_hedge_attempts_total", { kind: "hedge" })).toBe(2)
      expect(yield* count("resilience_hedge_calls_total", { outcome: "primary_won" })).toBe(1)
      expect(yield* count("resilience_hedge_calls_total", { outcome: "hedge_won" })).toBe(1)
      expect(yield* count("resilience_hedge_calls_total", { outcome: "failed" })).toBe(1)
    }).pipe(isolatedMetrics))

  it.effect("puts a hedge event with attempt and reason on the current span, and logs it at Debug", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const logs = recordingLogger()
      const dep = dependency<Unavailable>(
        { ms: 1000, ok: "a" },
        { ms: 10, fail: new Unavailable({ replica: 2 }) },
        { ms: 5, ok: "c" }
      )
      const hedged = Hedge.race(dep.effect, { delay: 50, maxHedged: 2, name: "profiles" })
      const exit = yield* dep.call(hedged.pipe(Effect.withSpan("lookup"), Effect.withTracer(tracer), logs.provide))
      expect(exit).toStrictEqual(Exit.succeed("c"))
      const lookup = spans.find((span) => span.name === "lookup")!
      expect(lookup.events).toStrictEqual([
        ["hedge", 50_000_000n, { attempt: 1, reason: "delay" }],
        ["hedge", 60_000_000n, { attempt: 2, reason: "failure" }]
      ])
      expect(logs.entries.filter((entry) => entry.message === "hedge started")).toStrictEqual([
        { message: "hedge started", level: "Debug", annotations: { policy: "profiles", attempt: 1, reason: "delay" } },
        { message: "hedge started", level: "Debug", annotations: { policy: "profiles", attempt: 2, reason: "failure" } }
      ])
    }).pipe(isolatedMetrics))

  it.effect("records nothing for an unnamed hedge, nor a call its caller interrupts", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const unnamed = dependency({ ms: 1000, ok: "a" }, { ms: 10, ok: "b" })
      yield* unnamed.call(
        Hedge.race(unnamed.effect, { delay: 50 }).pipe(Effect.withSpan("x"), Effect.withTracer(tracer))
      )
      expect(spans.flatMap((span) => span.events)).toStrictEqual([])
      const named = dependency({ ms: 1000, ok: "a" })
      const fiber = yield* Effect.forkChild(Hedge.race(named.effect, { delay: 50, name: "profiles" }))
      yield* TestClock.adjust(10)
      yield* Fiber.interrupt(fiber)
      const snapshot = yield* Metric.snapshot
      expect(snapshot.filter((s) => s.id.startsWith("resilience_hedge")).map((s) => [s.id, s.attributes]))
        .toStrictEqual([
          ["resilience_hedge_attempts_total", { policy: "profiles", kind: "primary" }]
        ])
    }).pipe(isolatedMetrics))
})
