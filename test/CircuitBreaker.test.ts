import { describe, expect, it } from "@effect/vitest"
import { Data, Duration, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"
import * as Classify from "../src/Classify.ts"
import { circuitOpenFor } from "../src/internal/rejection.ts"

class Down extends Data.TaggedError("Down") {}

const fails = Effect.fail(new Down())
const succeeds = Effect.succeed("ok")

/** Runs calls one after another and returns how each ended: "ok", the failure's tag, or the rejection's circuit. */
const calls = (breaker: CircuitBreaker.CircuitBreaker, ...effects: Array<Effect.Effect<string, Down>>) =>
  Effect.forEach(effects, (effect) =>
    Effect.match(breaker.run(effect), {
      onSuccess: (value) => value,
      onFailure: (error) => CircuitBreaker.isCircuitOpen(error) ? `rejected ${error.circuit}` : error._tag
    }))

const repeat = <A>(n: number, value: A): Array<A> => Array.from({ length: n }, () => value)

/** A state with `retryAfter` in milliseconds, for exact comparison. */
const stateOf = (breaker: CircuitBreaker.CircuitBreaker) =>
  Effect.map(breaker.state, (state) => ({ ...state, retryAfter: Duration.toMillis(state.retryAfter) }))

const closed = { circuit: "closed", calls: 0, failures: 0, consecutiveFailures: 0, probes: 0, probeSuccesses: 0 }

/** Collects the first `n` transitions, starting to listen at once. */
const collect = (breaker: CircuitBreaker.CircuitBreaker, n: number) =>
  Effect.forkChild(Stream.runCollect(Stream.take(breaker.transitions, n)), { startImmediately: true })

describe("CircuitBreaker defaults", () => {
  it.effect("are Polly's: failure ratio 0.1 over 30 s, minimum throughput 100, 5 s break, one probe", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make()
      expect(breaker.name).toBe(undefined)
      expect(breaker.settings).toStrictEqual({
        trip: "failure-ratio",
        failureRatio: 0.1,
        samplingDuration: 30_000,
        minimumThroughput: 100,
        breakDuration: 5_000,
        halfOpenMaxProbes: 1,
        slowCallDuration: undefined
      })
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, retryAfter: 0 })
    }))

  it.effect("accept any Duration.Input and keep the options given", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({
        trip: "consecutive",
        failures: 3,
        breakDuration: "1 minute",
        halfOpenMaxProbes: 2,
        slowCallDuration: { seconds: 2 },
        name: "search"
      })
      expect(breaker.name).toBe("search")
      expect(breaker.settings).toStrictEqual({
        trip: "consecutive",
        failures: 3,
        breakDuration: 60_000,
        halfOpenMaxProbes: 2,
        slowCallDuration: 2_000
      })
    }))
})

describe("CircuitBreaker failure-ratio trip policy", () => {
  it.effect("opens at the failure that brings the ratio to failureRatio, with the default 100 calls minimum", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make()
      yield* calls(breaker, ...repeat(91, succeeds), ...repeat(9, fails))
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 100, failures: 9 })
      yield* calls(breaker, fails) // 10 / 101 < 0.1
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 101, failures: 10 })
      yield* calls(breaker, fails) // 11 / 102 >= 0.1
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, circuit: "open", retryAfter: 5_000 })
    }))

  it.effect("a ratio exactly at failureRatio opens the circuit", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ failureRatio: 0.1, minimumThroughput: 30 })
      yield* calls(breaker, ...repeat(27, succeeds), fails, fails)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 29, failures: 2 })
      yield* calls(breaker, fails) // 3 / 30, exactly 0.1
      expect((yield* stateOf(breaker)).circuit).toBe("open")
    }))

  it.effect("stays closed below the minimum throughput, whatever the ratio", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ failureRatio: 0.5, minimumThroughput: 4 })
      expect(yield* calls(breaker, fails, fails, fails)).toStrictEqual(["Down", "Down", "Down"])
      expect(yield* stateOf(breaker)).toStrictEqual({
        ...closed,
        calls: 3,
        failures: 3,
        consecutiveFailures: 3,
        retryAfter: 0
      })
    }))

  it.effect("a success never opens the circuit, even the one that reaches the minimum throughput", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ failureRatio: 0.5, minimumThroughput: 4 })
      yield* calls(breaker, fails, fails, fails, succeeds)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 4, failures: 3 })
      expect(yield* calls(breaker, fails, succeeds)).toStrictEqual(["Down", "rejected open"])
    }))

  it.effect("failures, a long idle, then one failure: the old failures have expired and the circuit stays closed", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ failureRatio: 0.5, minimumThroughput: 5 })
      yield* calls(breaker, fails, fails, fails, fails)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 4, failures: 4 })

      yield* TestClock.adjust("1 hour")
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 0, failures: 0 })
      expect(yield* calls(breaker, fails)).toStrictEqual(["Down"])
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 1, failures: 1 })
    }))

  it.effect("an outcome counts until the sampling duration has passed since its bucket began, no longer", () =>
    Effect.gen(function*() {
      // Buckets of 3 s: failures at 0 s count up to 29.999 s and are gone at 30 s, however little traffic followed.
      const early = yield* CircuitBreaker.make({ failureRatio: 0.5, minimumThroughput: 5 })
      const late = yield* CircuitBreaker.make({ failureRatio: 0.5, minimumThroughput: 5 })
      yield* calls(early, fails, fails, fails, fails)
      yield* calls(late, fails, fails, fails, fails)

      yield* TestClock.adjust(29_999)
      yield* calls(early, fails)
      expect((yield* stateOf(early)).circuit).toBe("open")

      yield* TestClock.adjust(1)
      expect(yield* stateOf(late)).toMatchObject({ calls: 0, failures: 0 })
      yield* calls(late, fails)
      expect(yield* stateOf(late)).toMatchObject({ circuit: "closed", calls: 1, failures: 1 })
    }))

  it.effect("the window slides a tenth of the sampling duration at a time", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ samplingDuration: "10 seconds", minimumThroughput: 1_000 })
      for (let second = 0; second < 10; second++) {
        yield* calls(breaker, succeeds, fails)
        yield* TestClock.adjust("1 second")
      }
      // At 10 s, the bucket of 0 s has left the window; each later second leaves with its own bucket.
      expect(yield* stateOf(breaker)).toMatchObject({ calls: 18, failures: 9 })
      yield* TestClock.adjust(999)
      expect(yield* stateOf(breaker)).toMatchObject({ calls: 18, failures: 9 })
      yield* TestClock.adjust(1)
      expect(yield* stateOf(breaker)).toMatchObject({ calls: 16, failures: 8 })
      yield* TestClock.adjust("8 seconds")
      expect(yield* stateOf(breaker)).toMatchObject({ calls: 0, failures: 0 })
    }))
})

describe("CircuitBreaker consecutive trip policy", () => {
  it.effect("opens after `failures` failures in a row; a success ends a streak, and time does not", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 3 })
      yield* calls(breaker, fails, fails, succeeds, fails, fails)
      expect(yield* stateOf(breaker)).toStrictEqual({
        ...closed,
        calls: 5,
        failures: 4,
        consecutiveFailures: 2,
        retryAfter: 0
      })
      yield* TestClock.adjust("1 day")
      expect(yield* calls(breaker, fails, succeeds)).toStrictEqual(["Down", "rejected open"])
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, circuit: "open", retryAfter: 5_000 })
    }))
})

describe("CircuitBreaker open and half-open", () => {
  it.effect("an open circuit rejects at once, without running the call, for the rest of the break", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1, breakDuration: "5 seconds" })
      yield* calls(breaker, fails)
      yield* TestClock.adjust(2_000)
      let ran = false
      const error = yield* Effect.flip(breaker.run(Effect.sync(() => ran = true)))
      expect(ran).toBe(false)
      expect(error).toBeInstanceOf(CircuitBreaker.CircuitOpen)
      expect(error).toMatchObject({ _tag: "CircuitOpen", circuit: "open" })
      expect(Duration.toMillis((error as CircuitBreaker.CircuitOpen).retryAfter)).toBe(3_000)
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, circuit: "open", retryAfter: 3_000 })
    }))

  it.effect("past the break, reads as open with nothing left to wait until a call turns it half-open", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1 })
      yield* calls(breaker, fails)
      yield* TestClock.adjust("1 minute")
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, circuit: "open", retryAfter: 0 })
    }))

  it.effect("closed → open → half-open → closed: the first call after the break probes, and its success closes", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 2, breakDuration: "5 seconds" })
      const transitions = yield* collect(breaker, 3)
      yield* TestClock.adjust(1_000)
      yield* calls(breaker, fails, fails)
      yield* TestClock.adjust(4_999)
      expect(yield* calls(breaker, succeeds)).toStrictEqual(["rejected open"])
      yield* TestClock.adjust(1)
      const probe = yield* Effect.forkChild(breaker.run(Effect.as(Effect.sleep(100), "probed")), {
        startImmediately: true
      })
      // The only probe place is taken, for one break at most.
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, circuit: "half-open", probes: 1, retryAfter: 5_000 })
      yield* TestClock.adjust(100)
      expect(yield* Fiber.join(probe)).toBe("probed")
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, retryAfter: 0 })
      expect(yield* Fiber.join(transitions)).toStrictEqual([
        { from: "closed", to: "open", reason: "consecutive-failures", at: 1_000 },
        { from: "open", to: "half-open", reason: "break-elapsed", at: 6_000 },
        { from: "half-open", to: "closed", reason: "probes-succeeded", at: 6_100 }
      ])
    }))

  it.effect("half-open → open: a failed probe opens the circuit for another full break", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1, breakDuration: "5 seconds" })
      const transitions = yield* collect(breaker, 5)
      yield* calls(breaker, fails)
      yield* TestClock.adjust(5_000)
      expect(yield* calls(breaker, fails, succeeds)).toStrictEqual(["Down", "rejected open"])
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, circuit: "open", retryAfter: 5_000 })
      yield* TestClock.adjust(5_000)
      expect(yield* calls(breaker, succeeds, succeeds)).toStrictEqual(["ok", "ok"])
      expect((yield* Fiber.join(transitions)).map((t) => [t.from, t.to, t.reason, t.at])).toStrictEqual([
        ["closed", "open", "consecutive-failures", 0],
        ["open", "half-open", "break-elapsed", 5_000],
        ["half-open", "open", "probe-failed", 5_000],
        ["open", "half-open", "break-elapsed", 10_000],
        ["half-open", "closed", "probes-succeeded", 10_000]
      ])
    }))

  it.effect("the circuit closes fresh: no count survives from before it opened", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ failureRatio: 0.5, minimumThroughput: 2, breakDuration: 1_000 })
      yield* calls(breaker, succeeds, fails)
      yield* TestClock.adjust(1_000)
      yield* calls(breaker, succeeds)
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, retryAfter: 0 })
      expect(yield* calls(breaker, fails)).toStrictEqual(["Down"])
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 1, failures: 1 })
    }))

  it.effect("outcomes of calls admitted while closed that end after the circuit opened change nothing", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1, breakDuration: 1_000 })
      const slowFailure = yield* Effect.forkChild(breaker.run(Effect.andThen(Effect.sleep(1_500), fails)), {
        startImmediately: true
      })
      yield* calls(breaker, fails)
      yield* TestClock.adjust(1_000)
      const probe = yield* Effect.forkChild(breaker.run(Effect.andThen(Effect.sleep(1_000), succeeds)), {
        startImmediately: true
      })
      yield* TestClock.adjust(500)
      // The call admitted at 0 fails now, while the probe runs: the circuit stays half-open.
      expect(yield* Fiber.await(slowFailure)).toStrictEqual(Exit.fail(new Down()))
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 1 })
      yield* TestClock.adjust(500)
      expect(yield* Fiber.join(probe)).toBe("ok")
      expect((yield* stateOf(breaker)).circuit).toBe("closed")
    }))
})

describe("CircuitBreaker manual control", () => {
  it.effect("isolate holds the circuit open with no end, whatever time passes, until reset", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ name: "ledger" })
      const transitions = yield* collect(breaker, 2)
      yield* breaker.isolate
      yield* breaker.isolate
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, circuit: "isolated", retryAfter: Infinity })
      yield* TestClock.adjust("1 day")
      const error = yield* Effect.flip(breaker.run(succeeds))
      expect(error).toMatchObject({ _tag: "CircuitOpen", breaker: "ledger", circuit: "isolated" })
      expect(Duration.isFinite((error as CircuitBreaker.CircuitOpen).retryAfter)).toBe(false)

      yield* breaker.reset
      expect(yield* calls(breaker, succeeds)).toStrictEqual(["ok"])
      expect(yield* Fiber.join(transitions)).toStrictEqual([
        { from: "closed", to: "isolated", reason: "isolated", at: 0 },
        { from: "isolated", to: "closed", reason: "reset", at: 86_400_000 }
      ])
    }))

  it.effect("isolate works from open and half-open; reset closes from open", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1, breakDuration: 1_000 })
      const transitions = yield* collect(breaker, 6)
      yield* calls(breaker, fails)
      yield* breaker.reset
      yield* calls(breaker, fails)
      yield* breaker.isolate
      yield* breaker.reset
      yield* calls(breaker, fails)
      yield* TestClock.adjust(1_000)
      yield* Effect.forkChild(breaker.run(Effect.never), { startImmediately: true })
      yield* breaker.isolate
      expect((yield* Fiber.join(transitions)).map((t) => `${t.from}>${t.to}`)).toStrictEqual([
        "closed>open",
        "open>closed",
        "closed>open",
        "open>isolated",
        "isolated>closed",
        "closed>open"
      ])
      expect((yield* stateOf(breaker)).circuit).toBe("isolated")
    }))

  it.effect("reset forgets every outcome, including those of calls admitted before it", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 2 })
      const pending = yield* Effect.forkChild(breaker.run(Effect.andThen(Effect.sleep(1_000), fails)), {
        startImmediately: true
      })
      yield* calls(breaker, fails)
      yield* breaker.reset
      expect(yield* stateOf(breaker)).toStrictEqual({ ...closed, retryAfter: 0 })
      yield* TestClock.adjust(1_000)
      yield* Fiber.await(pending)
      yield* calls(breaker, fails)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 1, consecutiveFailures: 1 })
    }))
})

describe("CircuitBreaker run", () => {
  it.effect("runs the effect in the caller's fiber and returns its success, failure or defect unchanged", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make()
      expect(yield* breaker.run(Effect.succeed(42))).toBe(42)
      expect(yield* Effect.exit(breaker.run(fails))).toStrictEqual(Exit.fail(new Down()))
      expect(yield* Effect.exit(breaker.run(Effect.die("bug")))).toStrictEqual(Exit.die("bug"))
      expect(yield* Effect.fail("declined").pipe(CircuitBreaker.withBreaker(breaker), Effect.flip)).toBe("declined")
      expect(yield* CircuitBreaker.withBreaker(Effect.succeed("ok"), breaker)).toBe("ok")
    }))

  it.effect("transitions reach every consumer, each from the moment it starts reading", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1 })
      const early = yield* collect(breaker, 2)
      yield* calls(breaker, fails)
      const late = yield* collect(breaker, 1)
      yield* breaker.reset
      expect((yield* Fiber.join(early)).map((t) => t.to)).toStrictEqual(["open", "closed"])
      expect((yield* Fiber.join(late)).map((t) => t.to)).toStrictEqual(["closed"])
    }))

  it.effect("breakers that share a store share one circuit", () =>
    Effect.gen(function*() {
      const store = yield* CircuitBreaker.makeMemoryStore()
      const reads = yield* CircuitBreaker.make({ trip: "consecutive", failures: 2, store })
      const writes = yield* CircuitBreaker.make({ trip: "consecutive", failures: 2, store })
      yield* calls(reads, fails)
      yield* calls(writes, fails)
      expect(yield* calls(reads, succeeds)).toStrictEqual(["rejected open"])
      expect((yield* stateOf(writes)).circuit).toBe("open")
      yield* writes.reset
      expect(yield* calls(reads, succeeds)).toStrictEqual(["ok"])
    }))
})

describe("CircuitOpen", () => {
  it("names the breaker, its state and the wait in its message, and nothing else in its JSON", () => {
    const open = new CircuitBreaker.CircuitOpen({
      breaker: "payments",
      circuit: "open",
      retryAfter: Duration.millis(4_500)
    })
    expect(open.message).toBe(`Circuit "payments" is open; a probe may run in 4500 ms`)
    expect(open.name).toBe("CircuitOpen")
    expect(JSON.parse(JSON.stringify(open))).toStrictEqual({
      _tag: "CircuitOpen",
      breaker: "payments",
      circuit: "open",
      retryAfter: { _id: "Duration", _tag: "Millis", millis: 4_500 }
    })
    const halfOpen = new CircuitBreaker.CircuitOpen({ circuit: "half-open", retryAfter: Duration.zero })
    expect(halfOpen.message).toBe("Circuit is half-open and every probe place is taken")
    const isolated = new CircuitBreaker.CircuitOpen({ circuit: "isolated", retryAfter: Duration.infinity })
    expect(isolated.message).toBe("Circuit is isolated until reset")
  })

  it("is a rejection of this library's that tells a retry policy how long to wait", () => {
    const open = new CircuitBreaker.CircuitOpen({ circuit: "open", retryAfter: Duration.seconds(3) })
    const isolated = new CircuitBreaker.CircuitOpen({ circuit: "isolated", retryAfter: Duration.infinity })
    expect(Classify.isRejection(open)).toBe(true)
    expect(circuitOpenFor(open)).toBe(3_000)
    expect(circuitOpenFor(isolated)).toBe(Infinity)
    expect(circuitOpenFor(new Down())).toBe(undefined)
  })

  it("isCircuitOpen recognises rejections only, not look-alikes or downstream failures", () => {
    expect(CircuitBreaker.isCircuitOpen(new CircuitBreaker.CircuitOpen({ circuit: "open", retryAfter: Duration.zero })))
      .toBe(
        true
      )
    expect(CircuitBreaker.isCircuitOpen({ _tag: "CircuitOpen", circuit: "open", retryAfter: 0 })).toBe(false)
    expect(CircuitBreaker.isCircuitOpen(new Down())).toBe(false)
    expect(CircuitBreaker.isCircuitOpen(undefined)).toBe(false)
  })
})

describe("CircuitBreaker bad input", () => {
  const rejects = (options: unknown, message: string) =>
    expect(() => CircuitBreaker.make(options as CircuitBreaker.Options)).toThrow(new RangeError(message))
  const fn = "CircuitBreaker.make"

  it("failure-ratio options must be in range", () => {
    const ratio = `${fn}: option "failureRatio" must be a number in (0, 1], received`
    rejects({ failureRatio: 0 }, `${ratio} 0`)
    rejects({ failureRatio: 1.5 }, `${ratio} 1.5`)
    rejects({ failureRatio: NaN }, `${ratio} NaN`)
    rejects({ failureRatio: "0.5" }, `${ratio} "0.5"`)
    const throughput = `${fn}: option "minimumThroughput" must be a positive integer, received`
    rejects({ minimumThroughput: 0 }, `${throughput} 0`)
    rejects({ minimumThroughput: 2.5 }, `${throughput} 2.5`)
    rejects({ minimumThroughput: Infinity }, `${throughput} Infinity`)
    const sampling = `${fn}: option "samplingDuration" must be a positive, finite duration, received`
    rejects({ samplingDuration: 0 }, `${sampling} 0`)
    rejects({ samplingDuration: -1 }, `${sampling} -1`)
    rejects({ samplingDuration: Infinity }, `${sampling} Infinity`)
    rejects({ samplingDuration: "soon" }, `${sampling} "soon"`)
    expect(() => CircuitBreaker.make({ failureRatio: 1, minimumThroughput: 1, samplingDuration: 1 })).not.toThrow()
  })

  it("consecutive failures must be a positive integer, and given", () => {
    const must = `${fn}: option "failures" must be a positive integer, received`
    rejects({ trip: "consecutive" }, `${must} undefined`)
    rejects({ trip: "consecutive", failures: 0 }, `${must} 0`)
    rejects({ trip: "consecutive", failures: 1.5 }, `${must} 1.5`)
  })

  it("options of the other trip policy are errors, not ignored", () => {
    rejects(
      { trip: "consecutive", failures: 3, failureRatio: 0.5 },
      `${fn}: option "failureRatio" must be absent with trip "consecutive", received 0.5`
    )
    rejects({ failures: 3 }, `${fn}: option "failures" must be absent with trip "failure-ratio", received 3`)
    rejects({ trip: "rate" }, `${fn}: option "trip" must be "failure-ratio" or "consecutive", received "rate"`)
  })

  it("common options must be in range", () => {
    const breakMust = `${fn}: option "breakDuration" must be a positive, finite duration, received`
    rejects({ breakDuration: 0 }, `${breakMust} 0`)
    rejects({ breakDuration: "forever" }, `${breakMust} "forever"`)
    rejects({ breakDuration: Duration.infinity }, `${breakMust} Duration(Infinity)`)
    rejects(
      { slowCallDuration: 0 },
      `${fn}: option "slowCallDuration" must be a positive, finite duration, received 0`
    )
    rejects({ halfOpenMaxProbes: 0 }, `${fn}: option "halfOpenMaxProbes" must be a positive integer, received 0`)
    rejects({ isFailure: true }, `${fn}: option "isFailure" must be a function, received true`)
    rejects({ name: "" }, `${fn}: option "name" must be a non-empty string, received ""`)
    rejects({ store: {} }, `${fn}: option "store" must be a CircuitBreaker.Store, received {}`)
    rejects(7, `${fn}: option "options" must be an object, or undefined for the defaults, received 7`)
    rejects(null, `${fn}: option "options" must be an object, or undefined for the defaults, received null`)
  })
})
