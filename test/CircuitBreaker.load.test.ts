import { describe, expect, it } from "@effect/vitest"
import { Cause, Data, Effect, Exit, Fiber, Random, References, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"
import { isolatedMetrics, series } from "./telemetry.ts"

class Down extends Data.TaggedError("Down") {}

const codes = { "closed": 0, "half-open": 1, "open": 2, "isolated": 3 } as const

describe("CircuitBreaker under load", () => {
  // 10,000 calls arrive at random times over 20 s against a dependency that is healthy (5 % failures), then down
  // (90 %), then healthy again. Each runs for a random time up to 400 ms; one in ten is interrupted at a random
  // moment after it arrives. The second run makes each call yield after every operation, splitting every step the
  // breaker takes from the next.
  const stress = (seed: string, maxOpsBeforeYield: number | undefined) =>
    Effect.gen(function*() {
      const total = 10_000
      const slowCallDuration = 300
      const breaker = yield* CircuitBreaker.make({
        name: "stress",
        failureRatio: 0.5,
        samplingDuration: "2 seconds",
        minimumThroughput: 20,
        breakDuration: "500 millis",
        halfOpenMaxProbes: 3,
        slowCallDuration
      })
      const transitions: Array<CircuitBreaker.Transition> = []
      const listener = yield* Effect.forkChild(
        Stream.runForEach(breaker.transitions, (t) => Effect.sync(() => transitions.push(t))),
        { startImmediately: true }
      )
      const schedule = <A, E>(effect: Effect.Effect<A, E>) =>
        maxOpsBeforeYield === undefined
          ? effect
          : Effect.provideService(effect, References.MaxOpsBeforeYield, maxOpsBeforeYield)

      const durations: Array<number> = []
      const fibers: Array<Fiber.Fiber<string, Down | CircuitBreaker.CircuitOpen>> = []
      for (let i = 0; i < total; i++) {
        const arrival = Math.floor((yield* Random.next) * 20_000)
        const duration = Math.floor((yield* Random.next) * 400)
        const failureRate = arrival >= 5_000 && arrival < 12_000 ? 0.9 : 0.05
        const fails = (yield* Random.next) < failureRate
        const interruptAfter = (yield* Random.next) < 0.1 ? Math.floor((yield* Random.next) * 400) : undefined
        durations.push(duration)
        const call = Effect.andThen(Effect.sleep(duration), fails ? Effect.fail(new Down()) : Effect.succeed("ok"))
        const fiber = yield* Effect.forkChild(Effect.andThen(Effect.sleep(arrival), schedule(breaker.run(call))))
        fibers.push(fiber)
        if (interruptAfter !== undefined) {
          yield* Effect.forkChild(Effect.andThen(Effect.sleep(arrival + interruptAfter), Fiber.interrupt(fiber)))
        }
      }
      yield* TestClock.adjust("30 seconds")
      const exits = yield* Effect.forEach(fibers, Fiber.await)

      // What each call did, from its own point of view.
      let succeeded = 0
      let slow = 0
      let failed = 0
      let rejected = 0
      let interrupted = 0
      exits.forEach((exit, i) => {
        if (Exit.isSuccess(exit)) {
          if (durations[i]! > slowCallDuration) slow++
          else succeeded++
        } else if (Cause.hasInterruptsOnly(exit.cause)) interrupted++
        else if (CircuitBreaker.isCircuitOpen(Cause.squash(exit.cause))) rejected++
        else failed++
      })
      expect(succeeded + slow + failed + rejected + interrupted).toBe(total)
      expect(Math.min(succeeded, slow, failed, rejected, interrupted)).toBeGreaterThan(0)

      // The breaker counted each call exactly once, as the call saw it.
      const count = (outcome: string) =>
        Effect.map(series("resilience_breaker_calls_total", { policy: "stress", outcome }), (s) => s?.count ?? 0)
      expect({
        success: yield* count("success"),
        failure: yield* count("failure"),
        rejected: yield* count("rejected"),
        ignored: yield* count("ignored")
      }).toStrictEqual({ success: succeeded, failure: slow + failed, rejected, ignored: interrupted })

      // Every transition was delivered, in order, each leaving the state the previous one entered.
      const edges = new Map<string, number>()
      for (const t of transitions) edges.set(`${t.from}>${t.to}`, (edges.get(`${t.from}>${t.to}`) ?? 0) + 1)
      const circuits = Object.keys(codes)
      for (const from of circuits) {
        for (const to of circuits) {
          const counted = yield* series("resilience_breaker_transitions_total", { policy: "stress", from, to })
          expect([from, to, counted?.count ?? 0]).toStrictEqual([from, to, edges.get(`${from}>${to}`) ?? 0])
        }
      }
      expect(transitions[0]!.from).toBe("closed")
      transitions.slice(1).forEach((t, i) => expect([i, t.from]).toStrictEqual([i, transitions[i]!.to]))
      expect(transitions.every((t, i) => i === 0 || t.at >= transitions[i - 1]!.at)).toBe(true)
      for (const edge of ["closed>open", "open>half-open", "half-open>open", "half-open>closed"]) {
        expect([edge, (edges.get(edge) ?? 0) > 0]).toStrictEqual([edge, true])
      }

      // Nothing is left behind: no probe holds a place, and the state, the gauge and the last transition agree.
      const state = yield* breaker.state
      expect(state.probes).toBe(0)
      expect(state.circuit).toBe(transitions.at(-1)!.to)
      expect((yield* series("resilience_breaker_state", { policy: "stress" }))?.value).toBe(codes[state.circuit])
      yield* Fiber.interrupt(listener)
    }).pipe(Random.withSeed(seed), isolatedMetrics)

  it.effect("10,000 concurrent calls with random outcomes are each counted once, and every transition in order", () =>
    stress("breaker", undefined))

  it.effect("the same holds when every call yields after each operation", () => stress("breaker-yielding", 1))
})
