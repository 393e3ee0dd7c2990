import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Policy from "../src/Policy.ts"
import { alwaysFailing } from "./helpers.ts"

const timers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length

describe("Policy interruption", () => {
  it.effect("interrupting a fiber that sleeps between attempts ends it at once with interruption", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      const fiber = yield* Effect.forkChild(Effect.retry(op.effect, Policy.constant({ delay: "1 hour" })))
      yield* TestClock.adjust("30 minutes")
      expect(op.starts).toStrictEqual([0])
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      expect(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)).toBe(true)
      // The interruption is not the last error, and no further attempt runs when the clock moves on.
      expect(Exit.isFailure(exit) && Cause.hasFails(exit.cause)).toBe(false)
      yield* TestClock.adjust("10 hours")
      expect(op.starts).toStrictEqual([0])
    }))

  it.effect("a fiber interrupted before it starts runs no attempt", () =>
    Effect.gen(function*() {
      const op = alwaysFailing("down")
      const fiber = yield* Effect.forkChild(Effect.retry(op.effect, Policy.exponential()))
      yield* Fiber.interrupt(fiber)
      expect(op.starts).toStrictEqual([])
    }))

  it.effect("interrupting a controller's sleep ends it at once", () =>
    Effect.gen(function*() {
      const controller = yield* Policy.start(Policy.constant({ delay: "1 hour" }))
      const fiber = yield* Effect.forkChild(controller.next("down"))
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      expect(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)).toBe(true)
    }))

  it.live("on the live clock, interruption during a sleep leaves no timer in Node's event loop", () =>
    Effect.gen(function*() {
      const before = timers()
      const firstFailure = yield* Deferred.make<void>()
      let runs = 0
      const program = Effect.suspend(() => {
        runs++
        return Deferred.succeed(firstFailure, undefined).pipe(Effect.andThen(Effect.fail("down")))
      })
      const fiber = yield* Effect.forkChild(Effect.retry(program, Policy.constant({ delay: "10 seconds" })))
      yield* Deferred.await(firstFailure)
      yield* Effect.yieldNow
      expect(timers()).toBe(before + 1)
      const started = Date.now()
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      expect(Date.now() - started).toBeLessThan(1000)
      expect(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)).toBe(true)
      expect(timers()).toBe(before)
      expect(runs).toBe(1)
    }))
})
