import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Deferred, Effect, Exit, Fiber, Metric, Random, References } from "effect"
import { TestClock } from "effect/testing"
import * as Bulkhead from "../src/Bulkhead.ts"
import { isolatedMetrics, series } from "./telemetry.ts"

/** Forks an effect and runs it until it first suspends, so that the bulkhead's state is settled on return. */
const start = <A, E>(effect: Effect.Effect<A, E>) => Effect.forkChild(effect, { startImmediately: true })

/** Calls that record when each one starts (on the TestClock), then sleep and succeed with their id. */
const recorder = () => {
  const starts: Array<[string, number]> = []
  const call = (id: string, millis = 1000) =>
    Effect.gen(function*() {
      starts.push([id, yield* Clock.currentTimeMillis])
      yield* Effect.sleep(millis)
      return id
    })
  return { starts, call }
}

const rejectedFields = (error: unknown) => {
  const e = error as Bulkhead.BulkheadRejected
  return { _tag: e._tag, bulkhead: e.bulkhead, maxConcurrent: e.maxConcurrent, maxQueued: e.maxQueued }
}

const isInterrupted = (exit: Exit.Exit<unknown, unknown>) => Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)

describe("Bulkhead admission", () => {
  it.effect("runs maxConcurrent calls at once and queues the next one", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 3, maxQueued: 2 })
      const { starts, call } = recorder()
      const fibers = yield* Effect.forEach(["a", "b", "c", "d"], (id) => start(bulkhead.run(call(id))))
      expect(yield* bulkhead.state).toStrictEqual({ running: 3, queued: 1 })
      expect(starts).toStrictEqual([["a", 0], ["b", 0], ["c", 0]])

      yield* TestClock.adjust("1 second")
      expect(starts).toStrictEqual([["a", 0], ["b", 0], ["c", 0], ["d", 1000]])
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })

      yield* TestClock.adjust("1 second")
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
      expect(yield* Fiber.joinAll(fibers)).toStrictEqual(["a", "b", "c", "d"])
    }))

  it.effect("starts waiters first in, first out as slots free", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: 4 })
      const { starts, call } = recorder()
      yield* Effect.forEach(["a", "b", "c", "d", "e"], (id) => start(bulkhead.run(call(id))))
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 4 })
      yield* TestClock.adjust("5 seconds")
      expect(starts).toStrictEqual([["a", 0], ["b", 1000], ["c", 2000], ["d", 3000], ["e", 4000]])
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
    }))

  it.effect("rejects at once, without running its effect, a call that finds every slot and queue place taken", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 2, maxQueued: 1, name: "inventory" })
      const { starts, call } = recorder()
      yield* Effect.forEach(["a", "b", "c"], (id) => start(bulkhead.run(call(id))))
      let ran = false
      const error = yield* Effect.flip(bulkhead.run(Effect.sync(() => ran = true)))
      expect(ran).toBe(false)
      expect(error).toBeInstanceOf(Bulkhead.BulkheadRejected)
      expect(rejectedFields(error)).toStrictEqual({
        _tag: "BulkheadRejected",
        bulkhead: "inventory",
        maxConcurrent: 2,
        maxQueued: 1
      })
      expect(yield* Clock.currentTimeMillis).toBe(0)
      expect(yield* bulkhead.state).toStrictEqual({ running: 2, queued: 1 })

      // The rejection took no place: once the queue has room again, calls are accepted.
      yield* TestClock.adjust("1 second")
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })
      yield* start(bulkhead.run(call("d")))
      expect(yield* bulkhead.state).toStrictEqual({ running: 2, queued: 0 })
      yield* start(bulkhead.run(call("e")))
      expect(yield* bulkhead.state).toStrictEqual({ running: 2, queued: 1 })
      expect(starts.map(([id]) => id)).toStrictEqual(["a", "b", "c", "d"])
    }))

  it.effect("with the default maxQueued of 0, rejects a call as soon as every slot is taken", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1 })
      expect([bulkhead.name, bulkhead.maxConcurrent, bulkhead.maxQueued]).toStrictEqual([undefined, 1, 0])
      const { call } = recorder()
      yield* start(bulkhead.run(call("a")))
      const error = yield* Effect.flip(bulkhead.run(call("b")))
      expect(rejectedFields(error)).toStrictEqual({
        _tag: "BulkheadRejected",
        bulkhead: undefined,
        maxConcurrent: 1,
        maxQueued: 0
      })
      expect("bulkhead" in error).toBe(false)
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })
    }))

  it.effect("hands a freed slot to the first waiter, never to a call that arrives in the same instant", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: 2 })
      const { starts, call } = recorder()
      const a = yield* start(bulkhead.run(call("a", 60_000)))
      yield* start(bulkhead.run(call("b")))
      yield* Fiber.interrupt(a)
      // The slot now belongs to b, even before b's fiber resumes, so c queues behind it.
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })
      yield* start(bulkhead.run(call("c")))
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 1 })
      yield* TestClock.adjust("2 seconds")
      expect(starts).toStrictEqual([["a", 0], ["b", 0], ["c", 1000]])
    }))

  it.effect("runs the effect in the caller's fiber and returns its success, failure or defect unchanged", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1 })
      expect(yield* bulkhead.run(Effect.succeed(42))).toBe(42)
      expect(yield* Effect.exit(bulkhead.run(Effect.fail("down")))).toStrictEqual(Exit.fail("down"))
      const died = yield* Effect.exit(bulkhead.run(Effect.die("bug")))
      expect(Exit.isFailure(died) && Cause.squash(died.cause)).toBe("bug")
      expect(yield* Effect.fail("declined").pipe(Bulkhead.withBulkhead(bulkhead), Effect.flip)).toBe("declined")
      expect(yield* Bulkhead.withBulkhead(Effect.succeed("ok"), bulkhead)).toBe("ok")
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
    }))
})

describe("Bulkhead release", () => {
  it.effect("an interrupted waiter leaves the queue at once and never runs", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: 2 })
      const { starts, call } = recorder()
      yield* start(bulkhead.run(call("a")))
      const b = yield* start(bulkhead.run(call("b")))
      yield* start(bulkhead.run(call("c")))
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 2 })

      yield* Fiber.interrupt(b)
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 1 })
      expect(isInterrupted(yield* Fiber.await(b))).toBe(true)

      // Its place is free: another call can queue.
      yield* start(bulkhead.run(call("d")))
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 2 })
      yield* TestClock.adjust("10 seconds")
      expect(starts).toStrictEqual([["a", 0], ["c", 1000], ["d", 2000]])
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
    }))

  it.effect("an interrupted running call frees its slot and the first waiter starts in the same instant", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 2, maxQueued: 2 })
      const { starts, call } = recorder()
      const a = yield* start(bulkhead.run(call("a", 60_000)))
      yield* start(bulkhead.run(call("b", 60_000)))
      yield* start(bulkhead.run(call("c")))
      yield* start(bulkhead.run(call("d")))
      yield* TestClock.adjust("10 seconds")
      expect(yield* bulkhead.state).toStrictEqual({ running: 2, queued: 2 })

      yield* Fiber.interrupt(a)
      expect(yield* bulkhead.state).toStrictEqual({ running: 2, queued: 1 })
      yield* Effect.yieldNow
      expect(starts).toStrictEqual([["a", 0], ["b", 0], ["c", 10_000]])
      expect(isInterrupted(yield* Fiber.await(a))).toBe(true)
    }))

  it.effect("a call that fails or dies frees its slot for the first waiter", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: 2 })
      const { starts, call } = recorder()
      const failing = yield* start(bulkhead.run(Effect.andThen(Effect.sleep(1000), Effect.fail("down"))))
      const dying = yield* start(bulkhead.run(Effect.andThen(Effect.sleep(1000), Effect.die("bug"))))
      yield* start(bulkhead.run(call("c")))
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 2 })

      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.await(failing)).toStrictEqual(Exit.fail("down"))
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 1 })

      yield* TestClock.adjust("1 second")
      const died = yield* Fiber.await(dying)
      expect(Exit.isFailure(died) && Cause.squash(died.cause)).toBe("bug")
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })
      expect(starts).toStrictEqual([["c", 2000]])

      yield* TestClock.adjust("1 second")
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
    }))

  it.effect("a waiter interrupted just as its slot is handed over passes the slot on, without running", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: 2 })
      const { starts, call } = recorder()
      const a = yield* start(bulkhead.run(call("a", 60_000)))
      const b = yield* start(bulkhead.run(call("b")))
      yield* start(bulkhead.run(call("c")))

      // Ending a hands its slot to b; b is interrupted before its fiber gets to run its effect.
      yield* Fiber.interrupt(a)
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 1 })
      yield* Fiber.interrupt(b)
      expect(isInterrupted(yield* Fiber.await(b))).toBe(true)
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })
      yield* Effect.yieldNow
      expect(starts).toStrictEqual([["a", 0], ["c", 0]])

      yield* TestClock.adjust("1 second")
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
    }))

  it.effect("whatever step a waiter has reached when it is interrupted as a slot frees, the slot passes on", () =>
    Effect.gen(function*() {
      // The waiter yields after every operation; the test lets it take 0, 1, 2, ... steps into `run` before ending
      // the running call and interrupting the waiter in the same instant.
      for (let steps = 0; steps < 16; steps++) {
        const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: 2 })
        const { starts, call } = recorder()
        const finish = yield* Deferred.make<void>()
        yield* start(bulkhead.run(Deferred.await(finish)))
        const waiter = yield* start(
          bulkhead.run(call("waiter")).pipe(Effect.provideService(References.MaxOpsBeforeYield, 1))
        )
        for (let i = 0; i < steps; i++) yield* Effect.yieldNow
        yield* start(bulkhead.run(call("next")))

        yield* Deferred.succeed(finish, undefined)
        yield* Fiber.interrupt(waiter)
        expect(isInterrupted(yield* Fiber.await(waiter))).toBe(true)
        expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })
        yield* Effect.yieldNow
        expect(starts).toStrictEqual([["next", 0]])
        yield* TestClock.adjust("1 second")
        expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
        yield* TestClock.setTime(0)
      }
    }))

  it.effect("a call bounded by Effect.timeout while queued gives up its place when the timeout fires", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: 1 })
      const { starts, call } = recorder()
      yield* start(bulkhead.run(call("a", 10_000)))
      const b = yield* start(bulkhead.run(call("b")).pipe(Effect.timeout("2 seconds")))
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 1 })
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.await(b)
      expect(Exit.isFailure(exit) && Cause.isTimeoutError(Cause.squash(exit.cause))).toBe(true)
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 0 })
      yield* TestClock.adjust("1 minute")
      expect(starts).toStrictEqual([["a", 0]])
    }))
})

describe("Bulkhead under load", () => {
  // Each call arrives at a random time and runs for a random time; one in three is interrupted at a random moment
  // after it reaches the bulkhead: while queued, while running, or after it ended. The second run makes each call
  // yield to the scheduler after every operation inside the bulkhead, splitting every step it takes from the next.
  const stress = (seed: string, maxOpsBeforeYield: number | undefined) =>
    Effect.gen(function*() {
      const calls = 10_000
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 10, maxQueued: 100, name: "stress" })
      const schedule = <A, E>(effect: Effect.Effect<A, E>) =>
        maxOpsBeforeYield === undefined
          ? effect
          : Effect.provideService(effect, References.MaxOpsBeforeYield, maxOpsBeforeYield)
      let active = 0
      let maxActive = 0
      let started = 0
      const work = (millis: number) =>
        Effect.suspend(() => {
          started++
          active++
          maxActive = Math.max(maxActive, active)
          return Effect.sleep(millis).pipe(Effect.ensuring(Effect.sync(() => active--)))
        })

      const fibers: Array<Fiber.Fiber<void, Bulkhead.BulkheadRejected>> = []
      for (let i = 0; i < calls; i++) {
        const arrival = yield* Random.nextIntBetween(0, 10_000)
        const duration = yield* Random.nextIntBetween(0, 40)
        const interruptAfter = (yield* Random.nextIntBetween(0, 2)) === 0
          ? yield* Random.nextIntBetween(1, 60)
          : undefined
        const arrived = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(
          Effect.sleep(arrival).pipe(
            Effect.andThen(Deferred.succeed(arrived, undefined)),
            Effect.andThen(schedule(bulkhead.run(work(duration))))
          )
        )
        fibers.push(fiber)
        if (interruptAfter !== undefined) {
          yield* Effect.forkChild(
            Deferred.await(arrived).pipe(
              Effect.andThen(Effect.sleep(interruptAfter)),
              Effect.andThen(Fiber.interrupt(fiber))
            )
          )
        }
      }
      yield* TestClock.adjust("1 minute")
      const exits = yield* Effect.forEach(fibers, Fiber.await)

      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
      expect(active).toBe(0)
      expect(maxActive).toBe(10)

      const succeeded = exits.filter(Exit.isSuccess).length
      const rejected = exits.filter((exit) => Exit.isFailure(exit) && Cause.hasFails(exit.cause)).length
      const interrupted = exits.filter(isInterrupted).length
      expect(succeeded + rejected + interrupted).toBe(calls)
      expect(Math.min(succeeded, rejected, interrupted)).toBeGreaterThan(0)

      // Every call reached the bulkhead before any interruption, so each is counted exactly once.
      const count = (outcome: string) =>
        Effect.map(series("resilience_bulkhead_calls_total", { policy: "stress", outcome }), (s) => s?.count ?? 0)
      const admitted = yield* count("admitted")
      const abandoned = yield* count("abandoned")
      expect(yield* count("rejected")).toBe(rejected)
      expect(admitted).toBe(started)
      expect(admitted + rejected + abandoned).toBe(calls)
      expect(abandoned).toBeGreaterThan(0)
    }).pipe(Random.withSeed(seed), isolatedMetrics)

  it.effect("10,000 calls with random timing and interruptions never exceed the limit and leave nothing behind", () =>
    stress("bulkhead", undefined))

  it.effect("the same holds when every call yields after each operation", () => stress("bulkhead-yielding", 1))
})

describe("Bulkhead with long queues", () => {
  it.effect("drains 20,000 queued calls that each end at once without nesting one inside another", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: Infinity })
      let ran = 0
      yield* start(bulkhead.run(Effect.sleep(1000)))
      const fibers = yield* Effect.forEach(
        Array.from({ length: 20_000 }),
        () => start(bulkhead.run(Effect.sync(() => ran++)))
      )
      expect(yield* bulkhead.state).toStrictEqual({ running: 1, queued: 20_000 })
      yield* TestClock.adjust("1 second")
      yield* Effect.forEach(fibers, Fiber.join, { discard: true })
      expect(ran).toBe(20_000)
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
    }))
})

describe("Bulkhead telemetry", () => {
  it.effect("a named bulkhead counts calls by outcome and reports running and queued calls", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueued: 1, name: "payments" })
      const { call } = recorder()
      const counts = Effect.all({
        admitted: series("resilience_bulkhead_calls_total", { policy: "payments", outcome: "admitted" }),
        rejected: series("resilience_bulkhead_calls_total", { policy: "payments", outcome: "rejected" }),
        abandoned: series("resilience_bulkhead_calls_total", { policy: "payments", outcome: "abandoned" }),
        running: series("resilience_bulkhead_running_calls", { policy: "payments" }),
        queued: series("resilience_bulkhead_queued_calls", { policy: "payments" })
      }).pipe(Effect.map((s) => ({
        admitted: s.admitted?.count,
        rejected: s.rejected?.count,
        abandoned: s.abandoned?.count,
        running: s.running?.value,
        queued: s.queued?.value
      })))

      yield* start(bulkhead.run(call("a")))
      const b = yield* start(bulkhead.run(call("b")))
      yield* Effect.flip(bulkhead.run(call("c")))
      expect(yield* counts).toStrictEqual({ admitted: 1, rejected: 1, abandoned: undefined, running: 1, queued: 1 })

      yield* Fiber.interrupt(b)
      expect(yield* counts).toStrictEqual({ admitted: 1, rejected: 1, abandoned: 1, running: 1, queued: 0 })

      yield* start(bulkhead.run(call("d")))
      yield* TestClock.adjust("1 second")
      expect(yield* counts).toStrictEqual({ admitted: 2, rejected: 1, abandoned: 1, running: 1, queued: 0 })
      yield* TestClock.adjust("1 second")
      expect(yield* counts).toStrictEqual({ admitted: 2, rejected: 1, abandoned: 1, running: 0, queued: 0 })
    }).pipe(isolatedMetrics))

  it.effect("an unnamed bulkhead records nothing", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1 })
      yield* start(bulkhead.run(Effect.sleep(1000)))
      yield* Effect.flip(bulkhead.run(Effect.void))
      yield* TestClock.adjust("1 second")
      expect(yield* Metric.snapshot).toStrictEqual([])
    }).pipe(isolatedMetrics))
})

describe("BulkheadRejected", () => {
  it("names the bulkhead and its limits in its message, and nothing else in its JSON", () => {
    const named = new Bulkhead.BulkheadRejected({ bulkhead: "payments", maxConcurrent: 10, maxQueued: 100 })
    expect(named.message).toBe(`Bulkhead "payments" is full (maxConcurrent 10, maxQueued 100)`)
    expect(named.name).toBe("BulkheadRejected")
    expect(JSON.parse(JSON.stringify(named))).toStrictEqual({
      _tag: "BulkheadRejected",
      bulkhead: "payments",
      maxConcurrent: 10,
      maxQueued: 100
    })
    const unnamed = new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: Infinity })
    expect(unnamed.message).toBe("Bulkhead is full (maxConcurrent 1, maxQueued Infinity)")
  })

  it("isBulkheadRejected recognises rejections only, not look-alikes or downstream failures", () => {
    expect(Bulkhead.isBulkheadRejected(new Bulkhead.BulkheadRejected({ maxConcurrent: 1, maxQueued: 0 }))).toBe(true)
    expect(Bulkhead.isBulkheadRejected({ _tag: "BulkheadRejected", maxConcurrent: 1, maxQueued: 0 })).toBe(false)
    expect(Bulkhead.isBulkheadRejected(new Error("Bulkhead is full"))).toBe(false)
    expect(Bulkhead.isBulkheadRejected(undefined)).toBe(false)
    expect(Bulkhead.isBulkheadRejected("BulkheadRejected")).toBe(false)
  })
})

describe("Bulkhead bad input", () => {
  const rejects = (options: unknown, message: string) =>
    expect(() => Bulkhead.make(options as Bulkhead.Options)).toThrow(new RangeError(message))

  it("maxConcurrent must be a positive integer", () => {
    const must = `Bulkhead.make: option "maxConcurrent" must be a positive integer, received`
    rejects({ maxConcurrent: 0 }, `${must} 0`)
    rejects({ maxConcurrent: -1 }, `${must} -1`)
    rejects({ maxConcurrent: 1.5 }, `${must} 1.5`)
    rejects({ maxConcurrent: NaN }, `${must} NaN`)
    rejects({ maxConcurrent: Infinity }, `${must} Infinity`)
    rejects({ maxConcurrent: "10" }, `${must} "10"`)
    rejects({}, `${must} undefined`)
  })

  it("maxQueued must be a non-negative integer or Infinity", () => {
    const must = `Bulkhead.make: option "maxQueued" must be a non-negative integer, or Infinity for an unbounded queue,`
    rejects({ maxConcurrent: 1, maxQueued: -1 }, `${must} received -1`)
    rejects({ maxConcurrent: 1, maxQueued: 0.5 }, `${must} received 0.5`)
    rejects({ maxConcurrent: 1, maxQueued: NaN }, `${must} received NaN`)
    rejects({ maxConcurrent: 1, maxQueued: -Infinity }, `${must} received -Infinity`)
    rejects({ maxConcurrent: 1, maxQueued: null }, `${must} received null`)
    expect(() => Bulkhead.make({ maxConcurrent: 1, maxQueued: Infinity })).not.toThrow()
    expect(() => Bulkhead.make({ maxConcurrent: 1, maxQueued: undefined })).not.toThrow()
  })

  it("name must be a non-empty string when given, and options an object", () => {
    rejects({ maxConcurrent: 1, name: "" }, `Bulkhead.make: option "name" must be a non-empty string, received ""`)
    rejects({ maxConcurrent: 1, name: 7 }, `Bulkhead.make: option "name" must be a non-empty string, received 7`)
    rejects(
      undefined,
      `Bulkhead.make: option "options" must be an object { maxConcurrent, maxQueued?, name? }, received undefined`
    )
  })

  it.effect("a valid bulkhead keeps the options it was given", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 4, maxQueued: Infinity, name: "search" })
      expect([bulkhead.name, bulkhead.maxConcurrent, bulkhead.maxQueued]).toStrictEqual(["search", 4, Infinity])
      expect(yield* bulkhead.state).toStrictEqual({ running: 0, queued: 0 })
    }))
})
