import type { Admission, Circuit, Outcome, Permit, Settings, Transition } from "../CircuitBreaker.ts"

// The circuit breaker's logic as a state machine over outcomes and time. Each function takes the settings, the
// circuit's data and the current time, and returns new data without changing what it was given, so that a store
// can keep the data anywhere (in memory, or as one JSON value in a shared store) and apply these functions
// atomically. Transitions are reported through `emit`, in the order they happen.

/** The failure-ratio window is this many buckets of `samplingDuration / BUCKETS` each. @internal */
export const BUCKETS = 10

/** A probe's permit: its id, and the time until which it holds its place. @internal */
export type Lease = readonly [id: number, until: number]

/**
 * Everything a store keeps for one circuit. Plain numbers and arrays, so that it survives a JSON round trip.
 *
 * @internal
 */
export interface Data {
  readonly circuit: Circuit
  /** Changes at every transition and reset: outcomes of calls admitted under an older generation are dropped. */
  readonly generation: number
  /** While open: when the next call becomes a probe. */
  readonly openUntil: number
  readonly consecutiveFailures: number
  /** The consecutive trip policy: outcomes recorded since the circuit last closed. */
  readonly calls: number
  readonly failures: number
  /** The failure-ratio trip policy: `BUCKETS` triples of [epoch, calls, failures]. */
  readonly buckets: ReadonlyArray<number>
  /** While half-open: the probes holding a place. */
  readonly probes: ReadonlyArray<Lease>
  readonly probeSuccesses: number
  readonly nextProbe: number
}

/** A circuit's figures in milliseconds, before the public module turns `retryAfter` into a `Duration`. @internal */
export interface Figures {
  readonly circuit: Circuit
  readonly calls: number
  readonly failures: number
  readonly consecutiveFailures: number
  readonly probes: number
  readonly probeSuccesses: number
  readonly retryAfter: number
}

type Emit = (transition: Transition) => void

const emptyBuckets: ReadonlyArray<number> = Array.from({ length: BUCKETS }, () => [-1, 0, 0]).flat()

const fresh = (circuit: Circuit, generation: number, openUntil: number): Data => ({
  circuit,
  generation,
  openUntil,
  consecutiveFailures: 0,
  calls: 0,
  failures: 0,
  buckets: emptyBuckets,
  probes: [],
  probeSuccesses: 0,
  nextProbe: 1
})

/** A closed circuit that has recorded nothing. @internal */
export const initial: Data = fresh("closed", 0, 0)

const transition = (
  settings: Settings,
  data: Data,
  to: Circuit,
  reason: Transition["reason"],
  now: number,
  emit: Emit
): Data => {
  emit({ from: data.circuit, to, reason, at: now })
  return fresh(to, data.generation + 1, to === "open" ? now + settings.breakDuration : 0)
}

const admitted = (generation: number, probe: number | undefined): Admission => ({
  _tag: "Admitted",
  permit: { generation, probe }
})

const rejected = (circuit: "open" | "half-open" | "isolated", retryAfter: number): Admission => ({
  _tag: "Rejected",
  circuit,
  retryAfter
})

/**
 * Admits a call or rejects it. An open circuit whose break has elapsed turns half-open here, on the first call
 * after the break, and that call becomes a probe.
 *
 * @internal
 */
export const acquire = (settings: Settings, data: Data, now: number, emit: Emit): readonly [Admission, Data] => {
  switch (data.circuit) {
    case "closed":
      return [admitted(data.generation, undefined), data]
    case "isolated":
      return [rejected("isolated", Infinity), data]
    case "open":
      if (now < data.openUntil) return [rejected("open", data.openUntil - now), data]
      return admitProbe(settings, transition(settings, data, "half-open", "break-elapsed", now, emit), now)
    case "half-open":
      return admitProbe(settings, data, now)
  }
}

// With every probe place taken, a caller can be sure of a place no later than the earliest lease lapses: an upper
// bound, since a probe that ends sooner frees its place (or decides the circuit) earlier.
const probeWait = (live: ReadonlyArray<Lease>, now: number): number =>
  Math.max(0, Math.min(...live.map(([, until]) => until)) - now)

// A probe holds its place for at most one break duration, so a probe that never ends cannot keep the circuit
// half-open for ever: once its lease lapses, the next call may probe in its place.
const live = (data: Data, now: number): ReadonlyArray<Lease> => data.probes.filter(([, until]) => until > now)

const admitProbe = (settings: Settings, data: Data, now: number): readonly [Admission, Data] => {
  const live = data.probes.filter(([, until]) => until > now)
  if (live.length >= settings.halfOpenMaxProbes) return [rejected("half-open", probeWait(live, now)), data]
  const id = data.nextProbe
  const lease: Lease = [id, now + settings.breakDuration]
  return [admitted(data.generation, id), { ...data, probes: [...live, lease], nextProbe: id + 1 }]
}

/**
 * Records the outcome of an admitted call. Outcomes of calls admitted before the last transition or reset change
 * nothing; an ignored outcome only frees a probe's place.
 *
 * @internal
 */
export const record = (
  settings: Settings,
  data: Data,
  permit: Permit,
  outcome: Outcome,
  now: number,
  emit: Emit
): Data => {
  if (permit.generation !== data.generation) return data
  if (data.circuit === "closed") return recordClosed(settings, data, outcome, now, emit)
  if (data.circuit !== "half-open" || permit.probe === undefined) return data
  const probes = data.probes.filter(([id]) => id !== permit.probe)
  switch (outcome) {
    case "ignored":
      return { ...data, probes }
    case "failure":
      return transition(settings, data, "open", "probe-failed", now, emit)
    case "success": {
      const probeSuccesses = data.probeSuccesses + 1
      if (probeSuccesses >= settings.halfOpenMaxProbes) {
        return transition(settings, data, "closed", "probes-succeeded", now, emit)
      }
      return { ...data, probes, probeSuccesses }
    }
  }
}

// Only a failure can open the circuit: a success never does, even when it brings the throughput to the minimum.
const recordClosed = (settings: Settings, data: Data, outcome: Outcome, now: number, emit: Emit): Data => {
  if (outcome === "ignored") return data
  const failed = outcome === "failure"
  const consecutiveFailures = failed ? data.consecutiveFailures + 1 : 0
  if (settings.trip === "consecutive") {
    const next = { ...data, consecutiveFailures, calls: data.calls + 1, failures: data.failures + (failed ? 1 : 0) }
    return failed && consecutiveFailures >= settings.failures
      ? transition(settings, next, "open", "consecutive-failures", now, emit)
      : next
  }
  const buckets = addToWindow(settings.samplingDuration, data.buckets, now, failed)
  const next = { ...data, consecutiveFailures, buckets }
  if (!failed) return next
  const { calls, failures } = windowTotals(settings.samplingDuration, buckets, now)
  // A quotient, not `failures >= ratio * calls`: 0.1 * 30 is 3.0000000000000004 in floating point.
  return calls >= settings.minimumThroughput && failures / calls >= settings.failureRatio
    ? transition(settings, next, "open", "failure-ratio", now, emit)
    : next
}

const epochOf = (samplingDuration: number, now: number) => Math.floor(now / (samplingDuration / BUCKETS))

const addToWindow = (
  samplingDuration: number,
  buckets: ReadonlyArray<number>,
  now: number,
  failed: boolean
): ReadonlyArray<number> => {
  const epoch = epochOf(samplingDuration, now)
  const index = (((epoch % BUCKETS) + BUCKETS) % BUCKETS) * 3
  const next = buckets.slice()
  if (next[index] !== epoch) {
    next[index] = epoch
    next[index + 1] = 0
    next[index + 2] = 0
  }
  next[index + 1]!++
  if (failed) next[index + 2]!++
  return next
}

// An outcome counts while its bucket is one of the last BUCKETS, so for less than `samplingDuration` after it was
// recorded, however much or little traffic follows.
const windowTotals = (samplingDuration: number, buckets: ReadonlyArray<number>, now: number) => {
  const newest = epochOf(samplingDuration, now)
  let calls = 0
  let failures = 0
  for (let i = 0; i < buckets.length; i += 3) {
    const epoch = buckets[i]!
    if (epoch > newest - BUCKETS && epoch <= newest) {
      calls += buckets[i + 1]!
      failures += buckets[i + 2]!
    }
  }
  return { calls, failures }
}

/** Holds the circuit open until `reset`. @internal */
export const isolate = (settings: Settings, data: Data, now: number, emit: Emit): Data =>
  data.circuit === "isolated" ? data : transition(settings, data, "isolated", "isolated", now, emit)

/** Closes the circuit and forgets every outcome; a closed circuit only forgets. @internal */
export const reset = (settings: Settings, data: Data, now: number, emit: Emit): Data =>
  data.circuit === "closed"
    ? fresh("closed", data.generation + 1, 0)
    : transition(settings, data, "closed", "reset", now, emit)

/** The circuit's figures at `now`. @internal */
export const figures = (settings: Settings, data: Data, now: number): Figures => {
  const window = data.circuit === "closed" && settings.trip === "failure-ratio"
    ? windowTotals(settings.samplingDuration, data.buckets, now)
    : { calls: data.calls, failures: data.failures }
  return {
    circuit: data.circuit,
    calls: window.calls,
    failures: window.failures,
    consecutiveFailures: data.consecutiveFailures,
    probes: live(data, now).length,
    probeSuccesses: data.probeSuccesses,
    retryAfter: data.circuit === "open"
      ? Math.max(0, data.openUntil - now)
      : data.circuit === "isolated"
      ? Infinity
      : data.circuit === "half-open" && live(data, now).length >= settings.halfOpenMaxProbes
      ? probeWait(live(data, now), now)
      : 0
  }
}
