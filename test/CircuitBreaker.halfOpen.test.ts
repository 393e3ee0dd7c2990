import { describe, expect, it } from "@effect/vitest"
import { Cause, Data, Deferred, Duration, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as Bulkhead from "../src/Bulkhead.ts"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"

class Down extends Data.TaggedError("Down") {}
class NotFound extends Data.TaggedError("NotFound") {}

/** Forks an effect and runs it until it first suspends, so that the breaker's state is settled on return. */
const start = <A, E>(effect: Effect.Effect<A, E>) => Effect.forkChild(effect, { startImmediately: true })

const stateOf = (breaker: CircuitBreaker.CircuitBreaker) =>
  Effect.map(breaker.state, (state) => ({ ...state, retryAfter: Duration.toMillis(state.retryAfter) }))

const isInterrupted = (exit: Exit.Exit<unknown, unknown>) => Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)

/** Listens to every transition from now on, keeping them as "from>to". */
const listen = (breaker: CircuitBreaker.CircuitBreaker) =>
  Effect.gen(function*() {
    const seen: Array<string> = []
    yield* start(Stream.runForEach(breaker.transitions, (t) => Effect.sync(() => seen.push(`${t.from}>${t.to}`))))
    return seen
  })

/** A breaker whose circuit opened at 0 and whose 1 s break has just elapsed, so the next calls are probes. */
const brokenFor = (halfOpenMaxProbes: number, options?: { readonly isFailure?: (error: unknown) => boolean }) =>
  Effect.gen(function*() {
    const breaker = yield* CircuitBreaker.make({
      trip: "consecutive",
      failures: 1,
      breakDuration: "1 second",
      halfOpenMaxProbes,
      ...options
    })
    yield* Effect.flip(breaker.run(Effect.fail(new Down())))
    yield* TestClock.adjust("1 second")
    return breaker
  })

/** A call that takes `millis` and then ends as `end` says. */
const probe = (millis: number, end: Effect.Effect<string, unknown> = Effect.succeed("ok")) =>
  Effect.andThen(Effect.sleep(millis), end)

describe("CircuitBreaker probes", () => {
  it.effect("at most halfOpenMaxProbes probes run at once; the next call waits for the earliest probe's lease", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(3)
      yield* Effect.forEach([100, 200, 300], (millis) => start(breaker.run(probe(millis))))
      expect(yield* stateOf(breaker)).toStrictEqual({
        circuit: "half-open",
        calls: 0,
        failures: 0,
        consecutiveFailures: 0,
        probes: 3,
        probeSuccesses: 0,
        retryAfter: 1000
      })
      let ran = false
      const error = yield* Effect.flip(breaker.run(Effect.sync(() => ran = true)))
      expect(ran).toBe(false)
      expect(error).toMatchObject({ _tag: "CircuitOpen", circuit: "half-open" })
      // Every place is held for at most one break (1 s): the rejection says how long until one lapses at the latest.
      expect(Duration.toMillis((error as CircuitBreaker.CircuitOpen).retryAfter)).toBe(1000)
    }))

  it.effect("the circuit closes once halfOpenMaxProbes probes have succeeded; a freed place takes a new probe", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(3)
      const seen = yield* listen(breaker)
      yield* Effect.forEach([100, 200, 300], (millis) => start(breaker.run(probe(millis))))
      yield* TestClock.adjust(100)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 2, probeSuccesses: 1 })
      const fourth = yield* start(breaker.run(probe(1_000, Effect.fail(new Down()))))
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 3, probeSuccesses: 1 })
      yield* TestClock.adjust(100)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 2, probeSuccesses: 2 })
      yield* TestClock.adjust(100)
      expect((yield* stateOf(breaker)).circuit).toBe("closed")

      // The fourth probe fails after the circuit closed: its outcome belongs to the half-open circuit and is dropped.
      yield* TestClock.adjust(1_000)
      expect(yield* Fiber.await(fourth)).toStrictEqual(Exit.fail(new Down()))
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 0, failures: 0 })
      expect(seen).toStrictEqual(["open>half-open", "half-open>closed"])
    }))

  it.effect("the first probe to fail opens the circuit again at once; the other probes' outcomes are dropped", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(3)
      const seen = yield* listen(breaker)
      yield* start(breaker.run(probe(100, Effect.fail(new Down()))))
      yield* start(breaker.run(probe(200)))
      yield* start(breaker.run(probe(300)))
      yield* TestClock.adjust(300)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "open", probes: 0, retryAfter: 800 })
      expect(seen).toStrictEqual(["open>half-open", "half-open>open"])
    }))

  it.effect("a probe that dies opens the circuit again", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1)
      const exit = yield* Effect.exit(breaker.run(Effect.die("bug")))
      expect(exit).toStrictEqual(Exit.die("bug"))
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "open", retryAfter: 1_000 })
    }))

  it.effect("an interrupted probe frees its place and decides nothing", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1)
      const seen = yield* listen(breaker)
      const hanging = yield* start(breaker.run(Effect.never))
      expect(yield* Effect.flip(breaker.run(Effect.succeed("ok")))).toMatchObject({ circuit: "half-open" })

      yield* Fiber.interrupt(hanging)
      expect(isInterrupted(yield* Fiber.await(hanging))).toBe(true)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 0, probeSuccesses: 0 })
      expect(yield* breaker.run(Effect.succeed("ok"))).toBe("ok")
      expect((yield* stateOf(breaker)).circuit).toBe("closed")
      expect(seen).toStrictEqual(["open>half-open", "half-open>closed"])
    }))

  it.effect("a probe bounded by Effect.timeout outside the breaker is interrupted, and frees its place", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1)
      const bounded = yield* start(breaker.run(Effect.never).pipe(Effect.timeout("200 millis")))
      yield* TestClock.adjust(200)
      const exit = yield* Fiber.await(bounded)
      expect(Exit.isFailure(exit) && Cause.isTimeoutError(Cause.squash(exit.cause))).toBe(true)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 0 })
    }))

  it.effect("a probe that fails with a rejection of this library's frees its place and decides nothing", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1)
      const full = new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: 0 })
      expect(yield* Effect.flip(breaker.run(Effect.fail(full)))).toBe(full)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 0, probeSuccesses: 0 })
    }))

  it.effect("a probe whose failure isFailure rejects counts as a success and closes the circuit", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1, { isFailure: (error) => !(error instanceof NotFound) })
      expect(yield* Effect.flip(breaker.run(Effect.fail(new NotFound())))).toStrictEqual(new NotFound())
      expect((yield* stateOf(breaker)).circuit).toBe("closed")
    }))

  it.effect("a probe that ends after isolate changes nothing: the circuit stays isolated", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1)
      const running = yield* start(breaker.run(probe(100)))
      yield* breaker.isolate
      yield* TestClock.adjust(100)
      expect(yield* Fiber.join(running)).toBe("ok")
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "isolated", probes: 0, probeSuccesses: 0 })
    }))

  it.effect("a probe that fails after reset changes nothing: the circuit stays closed, with nothing counted", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1)
      const running = yield* start(breaker.run(probe(100, Effect.fail(new Down()))))
      yield* breaker.reset
      yield* TestClock.adjust(100)
      expect(yield* Fiber.await(running)).toStrictEqual(Exit.fail(new Down()))
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 0, failures: 0 })
    }))

  it.effect("a probe that never ends holds its place for one break duration; then the next call probes instead", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1)
      const hanging = yield* start(breaker.run(Effect.never))
      yield* TestClock.adjust(999)
      expect(yield* Effect.flip(breaker.run(Effect.succeed("ok")))).toMatchObject({ circuit: "half-open" })
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 1 })
      yield* TestClock.adjust(1)
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "half-open", probes: 0 })
      expect(yield* breaker.run(Effect.succeed("ok"))).toBe("ok")
      expect((yield* stateOf(breaker)).circuit).toBe("closed")
      yield* Fiber.interrupt(hanging)
      expect((yield* stateOf(breaker)).circuit).toBe("closed")
    }))

  it.effect("a probe whose place lapsed still counts if it ends while the circuit is half-open", () =>
    Effect.gen(function*() {
      const breaker = yield* brokenFor(1)
      const late = yield* start(breaker.run(probe(1_500)))
      yield* TestClock.adjust(1_000)
      const next = yield* start(breaker.run(probe(1_000, Effect.fail(new Down()))))
      yield* TestClock.adjust(500)
      expect(yield* Fiber.join(late)).toBe("ok")
      expect((yield* stateOf(breaker)).circuit).toBe("closed")
      yield* TestClock.adjust(500)
      expect(yield* Fiber.await(next)).toStrictEqual(Exit.fail(new Down()))
      expect(yield* stateOf(breaker)).toMatchObject({ circuit: "closed", calls: 0 })
    }))
})

describe("CircuitBreaker never stays half-open", () => {
  // Two probes at once, each ending one of six ways, in either order, with or without a manual step in between:
  // once both have ended, no place is held, and the circuit is closed, open, isolated, or ready for a new probe.
  type Fate = "success" | "failure" | "defect" | "interrupted" | "rejection" | "ignored-by-isFailure"
  const fates: ReadonlyArray<Fate> = [
    "success",
    "failure",
    "defect",
    "interrupted",
    "rejection",
    "ignored-by-isFailure"
  ]
  const manuals = ["none", "isolate", "reset"] as const

  const end = (fate: Fate): Effect.Effect<string, unknown> => {
    switch (fate) {
      case "success":
        return Effect.succeed("ok")
      case "failure":
        return Effect.fail(new Down())
      case "defect":
        return Effect.die("bug")
      case "interrupted":
        return Effect.interrupt
      case "rejection":
        return Effect.fail(new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: 0 }))
      case "ignored-by-isFailure":
        return Effect.fail(new NotFound())
    }
  }

  it.effect("whatever the probes' fates, order and manual steps, no place stays held", () =>
    Effect.gen(function*() {
      let cases = 0
      for (const first of fates) {
        for (const second of fates) {
          for (const manual of manuals) {
            yield* TestClock.setTime(0)
            const breaker = yield* brokenFor(2, { isFailure: (error) => !(error instanceof NotFound) })
            const gates = [yield* Deferred.make<void>(), yield* Deferred.make<void>()] as const
            const fibers = yield* Effect.forEach([first, second], (fate, i) =>
              start(breaker.run(Effect.andThen(Deferred.await(gates[i]!), end(fate)))))
            yield* Deferred.succeed(gates[0], undefined)
            yield* Fiber.await(fibers[0]!)
            if (manual !== "none") {
              yield* breaker[manual]
            }
            yield* Deferred.succeed(gates[1], undefined)
            yield* Fiber.await(fibers[1]!)

            const state = yield* stateOf(breaker)
            expect(state.probes).toBe(0)
            if (state.circuit === "half-open") {
              // Only outcomes that decide nothing leave it half-open, and the next call probes.
              expect(yield* breaker.run(Effect.succeed("ok"))).toBe("ok")
            }
            yield* TestClock.adjust("1 second")
            const after = yield* Effect.exit(breaker.run(Effect.succeed("ok")))
            expect(Exit.isSuccess(after) || (yield* stateOf(breaker)).circuit === "isolated").toBe(true)
            cases++
          }
        }
      }
      expect(cases).toBe(108)
    }))
})
