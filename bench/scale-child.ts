/**
 * One competitor of the scale case, alone in its own process: starts many callers that each sleep in a one-hour
 * backoff, measures the heap they hold, then interrupts or aborts them all and counts the timers left behind.
 * Prints one JSON line, a `ScaleReport`.
 *
 * Usage: `node --expose-gc bench/scale-child.ts <competitor> <callers>`
 */
import { ExponentialBackoff, handleAll, noJitterGenerator, retry } from "cockatiel"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import pRetry from "p-retry"
import * as Jitter from "../src/Jitter.ts"
import * as Policy from "../src/Policy.ts"
import { failure, retryAsync } from "./fixtures.ts"

export interface ScaleReport {
  readonly competitor: string
  readonly callers: number
  readonly bytesPerCaller: number
  /** Timers the callers held once all were asleep. */
  readonly sleepingTimers: number
  readonly startMillis: number
  /** From the interrupt or abort until every caller settled; `undefined` when some had not after `graceMillis`. */
  readonly stopMillis: number | undefined
  readonly pendingAfterStop: number
  readonly timersLeft: number
  readonly graceMillis: number
}

/** Callers started by one competitor. `stop` interrupts or aborts them all and resolves once all have settled. */
interface Callers {
  readonly stop: () => Promise<unknown>
  readonly pending: () => number
}

const hour = 3_600_000
const maxRetries = 3
const graceMillis = 2_000

const effectCallers = (schedule: Schedule.Schedule<unknown, Error>) => (count: number): Callers => {
  const program = Effect.retry(Effect.fail(failure), schedule)
  const fibers: Array<Fiber.Fiber<never, Error>> = []
  for (let i = 0; i < count; i++) fibers.push(Effect.runFork(program))
  return {
    stop: () => Effect.runPromise(Fiber.interruptAll(fibers)),
    pending: () => fibers.filter((fiber) => fiber.pollUnsafe() === undefined).length
  }
}

// One AbortController per caller, the Promise-world handle that plays the part of a fiber.
const promiseCallers = (call: (signal: AbortSignal) => Promise<unknown>) => (count: number): Callers => {
  const controllers: Array<AbortController> = []
  let pending = count
  let settle = () => {}
  const settled = new Promise<void>((resolve) => settle = resolve)
  const done = () => {
    if (--pending === 0) settle()
  }
  for (let i = 0; i < count; i++) {
    const controller = new AbortController()
    controllers.push(controller)
    call(controller.signal).then(done, done)
  }
  return {
    stop: () => {
      for (const controller of controllers) controller.abort()
      return settled
    },
    pending: () => pending
  }
}

const alwaysFails = async (): Promise<never> => {
  throw failure
}

const cockatiel = retry(handleAll, {
  maxAttempts: maxRetries,
  backoff: new ExponentialBackoff({ initialDelay: hour, maxDelay: 8 * hour, generator: noJitterGenerator })
})

const competitors: Record<string, (count: number) => Callers> = {
  hand: promiseCallers((signal) => retryAsync(alwaysFails, maxRetries, hour, signal)),
  effect: effectCallers(Schedule.exponential("1 hour").pipe(Schedule.upTo({ times: maxRetries }))),
  ours: effectCallers(Policy.exponential({ base: "1 hour", max: "8 hours", jitter: Jitter.none, maxRetries })),
  cockatiel: promiseCallers((signal) => cockatiel.execute(alwaysFails, signal)),
  "p-retry": promiseCallers((signal) => pRetry(alwaysFails, { retries: maxRetries, minTimeout: hour, signal }))
}

const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

const heap = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("scale-child needs --expose-gc")
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

// Polls every 10 ms: listing 100,000 resources is not free, and the poll's own timer has fired when it checks.
const until = async (condition: () => boolean, limitMillis: number): Promise<void> => {
  const start = performance.now()
  while (!condition()) {
    if (performance.now() - start > limitMillis) throw new Error("callers did not all fall asleep")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Whether `promise` settled within `millis`. */
const within = async (promise: Promise<unknown>, millis: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), millis))
  const settled = await Promise.race([promise.then(() => true), expired])
  clearTimeout(timer)
  return settled
}

const main = async (competitor: string, callers: number): Promise<ScaleReport> => {
  const start = competitors[competitor]
  if (start === undefined) throw new Error(`unknown competitor ${competitor}`)

  // A small first batch compiles the code paths, so that the measured heap holds callers, not code.
  const baseTimers = timers()
  const warm = start(1_000)
  await until(() => timers() - baseTimers >= 1_000, 10_000)
  await within(warm.stop(), 200)
  await tick()

  const before = heap()
  const timersBefore = timers()
  const started = performance.now()
  const running = start(callers)
  await until(() => timers() - timersBefore >= callers, 30_000)
  const startMillis = performance.now() - started
  const bytesPerCaller = (heap() - before) / callers
  const sleepingTimers = timers() - timersBefore

  const stopping = performance.now()
  const stopped = await within(running.stop(), graceMillis)
  const stopMillis = stopped ? performance.now() - stopping : undefined
  await tick()
  return {
    competitor,
    callers,
    bytesPerCaller,
    sleepingTimers,
    startMillis,
    stopMillis,
    pendingAfterStop: running.pending(),
    timersLeft: Math.max(0, timers() - timersBefore),
    graceMillis
  }
}

const [competitor = "", callers = "100000"] = process.argv.slice(2)
main(competitor, Number(callers)).then(
  (report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`)
    // Callers that ignored their abort still hold timers for an hour; the measurement is over.
    process.exit(0)
  },
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
