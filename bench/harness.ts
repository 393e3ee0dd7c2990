/**
 * Interleaved timing on tinybench. Every competitor of a case runs in each round, in a rotated order, so drift in
 * the machine (frequency, other load, GC pressure) spreads over all of them instead of favouring the one that ran
 * first. Each sample is the mean of a batch of calls long enough for the timer to resolve.
 */
import { Bench, type FnReturnedObject } from "tinybench"
import { summarize, type Summary } from "./stats.ts"

/**
 * One call of the code under test: synchronous, or a promise the batch awaits before the next call. Calibration
 * checks the first results with `check`, so a competitor that fails or gives up early is caught.
 */
export type Competitor =
  | { readonly id: string; readonly check: (result: unknown) => boolean; readonly sync: () => unknown }
  | { readonly id: string; readonly check: (result: unknown) => boolean; readonly async: () => Promise<unknown> }

export interface Plan {
  /** Rounds over all competitors; samples of every round are pooled. */
  readonly rounds: number
  /** Time budget of one competitor in one round, and of its warmup. */
  readonly roundMillis: number
  /** Target duration of one batch, from which the batch size of each competitor is calibrated. */
  readonly batchMicros: number
}

// Every result lands here, so that no call can be optimized away as unused.
let sink: unknown

/** Times every competitor and returns, per id, the summary of its per-call samples in nanoseconds. */
export const measure = async (
  competitors: ReadonlyArray<Competitor>,
  plan: Plan
): Promise<Map<string, Summary>> => {
  const bench = new Bench({
    time: plan.roundMillis,
    iterations: 3,
    warmupTime: plan.roundMillis * 4,
    warmupIterations: 3,
    retainSamples: true,
    throws: true
  })
  for (const competitor of competitors) {
    bench.add(competitor.id, batched(competitor, await calibrate(competitor, plan.batchMicros)))
  }
  const samples = new Map(competitors.map((competitor) => [competitor.id, [] as Array<number>]))

  for (const task of bench.tasks) await task.warmup()
  for (let round = 0; round < plan.rounds; round++) {
    for (const task of rotate(bench.tasks, round)) {
      task.reset(false)
      await task.run()
      const result = task.result
      if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`)
      samples.get(task.name)!.push(...(result.latency.samples ?? []))
    }
  }
  return new Map([...samples].map(([id, millis]) => [id, summarize(millis.map((ms) => ms * 1e6))]))
}

const rotate = <A>(items: ReadonlyArray<A>, by: number): Array<A> => {
  const start = by % items.length
  return [...items.slice(start), ...items.slice(0, start)]
}

const callOnce = async (competitor: Competitor): Promise<void> => {
  sink = "sync" in competitor ? competitor.sync() : await competitor.async()
  if (!competitor.check(sink)) throw new Error(`${competitor.id}: unexpected result ${String(sink)}`)
}

// Times single calls until about 20 ms have passed, then sizes the batch to the target duration.
const calibrate = async (competitor: Competitor, batchMicros: number): Promise<number> => {
  let calls = 0
  const start = performance.now()
  while (calls < 5 || performance.now() - start < 20) {
    await callOnce(competitor)
    calls++
  }
  const perCallMicros = ((performance.now() - start) * 1000) / calls
  return Math.max(1, Math.min(100_000, Math.round(batchMicros / perCallMicros)))
}

const batched = (competitor: Competitor, size: number): () => FnReturnedObject | Promise<FnReturnedObject> => {
  const result = (total: number): FnReturnedObject => ({
    overriddenDuration: total / size,
    overriddenIterationCost: total
  })
  if ("sync" in competitor) {
    const call = competitor.sync
    return () => {
      const start = performance.now()
      for (let i = 0; i < size; i++) sink = call()
      return result(performance.now() - start)
    }
  }
  const call = competitor.async
  return async () => {
    const start = performance.now()
    for (let i = 0; i < size; i++) sink = await call()
    return result(performance.now() - start)
  }
}
