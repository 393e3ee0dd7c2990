/**
 * Backoff curves as small state machines over milliseconds. Every value is capped at `max` as it is computed, so
 * no state grows past it and nothing overflows however many retries run.
 *
 * @internal
 */
export type Curve =
  | { readonly _tag: "Constant"; readonly delay: number }
  | { readonly _tag: "Linear"; readonly base: number }
  | { readonly _tag: "Exponential"; readonly base: number; readonly factor: number }
  | { readonly _tag: "Fibonacci"; readonly base: number }
  | { readonly _tag: "Decorrelated"; readonly base: number }

/** @internal */
export interface CurveState {
  /** The curve value for the next retry, already capped at `max`. `u` is a uniform sample in [0, 1). */
  next(u: () => number): number
  reset(): void
}

/** The first value of a curve: what decorrelated jitter calls `base`. @internal */
export const firstValue = (curve: Curve): number => curve._tag === "Constant" ? curve.delay : curve.base

/** Whether a curve draws random numbers of its own. @internal */
export const isRandom = (curve: Curve): boolean => curve._tag === "Decorrelated"

/** @internal */
export const makeState = (curve: Curve, max: number): CurveState => {
  switch (curve._tag) {
    case "Constant":
      return { next: () => Math.min(max, curve.delay), reset() {} }
    case "Linear":
      return linear(curve.base, max)
    case "Exponential":
      return exponential(curve.base, curve.factor, max)
    case "Fibonacci":
      return fibonacci(curve.base, max)
    case "Decorrelated":
      return decorrelated(curve.base, max)
  }
}

const linear = (base: number, max: number): CurveState => {
  let n = 0
  return {
    next() {
      n++
      return Math.min(max, base * n)
    },
    reset() {
      n = 0
    }
  }
}

// The state is the capped value itself, so it stops growing once it reaches max.
const exponential = (base: number, factor: number, max: number): CurveState => {
  let current: number | undefined
  return {
    next() {
      current = current === undefined ? Math.min(max, base) : Math.min(max, current * factor)
      return current
    },
    reset() {
      current = undefined
    }
  }
}

const fibonacci = (base: number, max: number): CurveState => {
  let previous = 0
  let current = 0
  return {
    next() {
      const value = current === 0 ? Math.min(max, base) : Math.min(max, previous + current)
      previous = current === 0 ? 0 : current
      current = value
      return value
    },
    reset() {
      previous = 0
      current = 0
    }
  }
}

const RP_SCALING_FACTOR = 1 / 1.4
const P_FACTOR = 4

// The curve of .NET Polly and cockatiel: for retry n, t = n + U, next = 2^t · tanh(sqrt(P · t)),
// delay = (next - previous) · RP · median, capped at max. t grows with n, so once 2^t overflows (near n = 1024) it
// stays infinite: from then on the curve answers max without computing infinity minus infinity.
const decorrelated = (median: number, max: number): CurveState => {
  let n = 0
  let previous = 0
  let saturated = false
  return {
    next(u) {
      if (saturated) return max
      const t = n + u()
      n++
      const next = Math.pow(2, t) * Math.tanh(Math.sqrt(P_FACTOR * t))
      if (!Number.isFinite(next)) {
        saturated = true
        return max
      }
      const delay = (next - previous) * RP_SCALING_FACTOR * median
      previous = next
      return Math.min(max, delay)
    },
    reset() {
      n = 0
      previous = 0
      saturated = false
    }
  }
}
