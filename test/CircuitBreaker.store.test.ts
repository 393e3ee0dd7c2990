import { describe, expect, it } from "@effect/vitest"
import { Data, Duration, Effect, Fiber, Random, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"
import * as Machine from "../src/internal/breaker.ts"

class Down extends Data.TaggedError("Down") {}

/**
 * A store that keeps the circuit as JSON text and parses it afresh for every operation, as a shared store (Redis)
 * would, and logs every request it receives.
 */
const jsonStore = () => {
  let text = JSON.stringify(Machine.initial)
  const requests: Array<string> = []
  const apply = <A>(name: string, now: number, step: (data: Machine.Data) => readonly [A, Machine.Data]) =>
    Effect.sync(() => {
      requests.push(`${name}@${now}`)
      const [result, next] = step(JSON.parse(text))
      text = JSON.stringify(next)
      return result
    })
  const store: CircuitBreaker.Store = {
    acquire: ({ now, onTransition, settings }) =>
      apply("acquire", now, (data) => Machine.acquire(settings, data, now, onTransition)),
    record: ({ now, onTransition, outcome, permit, settings }) =>
      apply(
        `record ${outcome}`,
        now,
        (data) => [undefined, Machine.record(settings, data, permit, outcome, now, onTransition)]
      ),
    isolate: ({ now, onTransition, settings }) =>
      apply("isolate", now, (data) => [undefined, Machine.isolate(settings, data, now, onTransition)]),
    reset: ({ now, onTransition, settings }) =>
      apply("reset", now, (data) => [undefined, Machine.reset(settings, data, now, onTransition)]),
    state: (settings, now) =>
      Effect.sync(() => {
        const figures = Machine.figures(settings, JSON.parse(text), now)
        const { retryAfter } = figures
        return { ...figures, retryAfter: retryAfter === Infinity ? Duration.infinity : Duration.millis(retryAfter) }
      })
  }
  return { store, requests }
}

describe("CircuitBreaker store", () => {
  it.effect("the breaker hands the store its settings, the Clock's time and each call's permit and outcome", () =>
    Effect.gen(function*() {
      const { requests, store } = jsonStore()
      const breaker = yield* CircuitBreaker.make({ trip: "consecutive", failures: 1, breakDuration: 1_000, store })
      yield* TestClock.adjust(10)
      yield* Effect.exit(breaker.run(Effect.fail(new Down())))
      yield* Effect.exit(breaker.run(Effect.succeed(1)))
      yield* TestClock.adjust(1_000)
      yield* Effect.exit(breaker.run(Effect.interrupt))
      yield* breaker.isolate
      yield* breaker.reset
      expect(requests).toStrictEqual([
        "acquire@10",
        "record failure@10",
        "acquire@10",
        "acquire@1010",
        "record ignored@1010",
        "isolate@1010",
        "reset@1010"
      ])
    }))

  it.effect("a store that keeps the circuit as JSON text behaves exactly like the memory store", () =>
    Effect.gen(function*() {
      const options = {
        failureRatio: 0.3,
        samplingDuration: "1 second",
        minimumThroughput: 5,
        breakDuration: "200 millis",
        halfOpenMaxProbes: 2,
        slowCallDuration: "80 millis"
      } as const
      const memory = yield* CircuitBreaker.make(options)
      const json = yield* CircuitBreaker.make({ ...options, store: jsonStore().store })
      const seen = { memory: [] as Array<CircuitBreaker.Transition>, json: [] as Array<CircuitBreaker.Transition> }
      for (const [key, breaker] of [["memory", memory], ["json", json]] as const) {
        yield* Effect.forkChild(Stream.runForEach(breaker.transitions, (t) => Effect.sync(() => seen[key].push(t))), {
          startImmediately: true
        })
      }

      // The same calls through both breakers, one every 10 ms, each with a random duration and outcome.
      const outcomes = { memory: [] as Array<string>, json: [] as Array<string> }
      for (let i = 0; i < 2_000; i++) {
        const millis = yield* Random.nextIntBetween(0, 100)
        const fails = (yield* Random.next) < (i % 400 < 200 ? 0.6 : 0.1)
        const call = Effect.andThen(Effect.sleep(millis), fails ? Effect.fail(new Down()) : Effect.succeed("ok"))
        for (const [key, breaker] of [["memory", memory], ["json", json]] as const) {
          const fiber = yield* Effect.forkChild(
            Effect.match(breaker.run(call), {
              onSuccess: () => "ok",
              onFailure: (e) => CircuitBreaker.isCircuitOpen(e) ? e.circuit : e._tag
            }),
            { startImmediately: true }
          )
          yield* Effect.forkChild(Effect.andThen(Fiber.join(fiber), (o) => Effect.sync(() => outcomes[key].push(o))))
        }
        yield* TestClock.adjust(10)
      }
      yield* TestClock.adjust("1 second")

      expect(outcomes.json).toStrictEqual(outcomes.memory)
      expect(seen.json).toStrictEqual(seen.memory)
      expect(seen.memory.length).toBeGreaterThan(10)
      const states = [yield* memory.state, yield* json.state]
      expect(states[1]).toStrictEqual(states[0])
    }).pipe(Random.withSeed("store")))
})
