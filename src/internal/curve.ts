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

/** The first value of a curve: what decorrelated jitter calls `base`. @internal */
export const firstValue = (curve: Curve): number => curve._tag === "Constant" ? curve.delay : curve.base

/** Whether a curve draws random numbers of its own. @internal */
export const isRandom = (curve: Curve): boolean => curve._tag === "Decorrelated"

const RP_SCALING_FACTOR = 1 / 1.4
const P_FACTOR = 4

/**
 * The state of one curve in one run, capped at `max`. A single class for every curve keeps a sleeping caller's
 * footprint to one small object.
 *
 * @internal
 */
export class CurveState {
  // Retries computed so far (linear, decorrelated).
  private n = 0
  // The last value (exponential, fibonacci), or the previous `next` of the decorrelated formula.
  private current = 0
  private previous = 0
  private saturated = false

  readonly curve: Curve
  readonly max: number

  constructor(curve: Curve, max: number) {
    this.curve = curve
    this.max = max
  }

  /** The curve value for the next retry, already capped at `max`. `uniform` draws from [0, 1) when needed. */
  next(uniform: () => number): number {
    const { curve, max } = this
    switch (curve._tag) {
      case "Constant":
        return Math.min(max, curve.delay)
      case "Linear":
        return Math.min(max, curve.base * ++this.n)
      case "Exponential":
        // The state is the capped value itself, so it stops growing once it reaches max.
        this.current = this.n++ === 0 ? Math.min(max, curve.base) : Math.min(max, this.current * curve.factor)
        return this.current
      case "Fibonacci": {
        const value = this.n++ === 0 ? Math.min(max, curve.base) : Math.min(max, this.previous + this.current)
        this.previous = this.n === 1 ? 0 : this.current
        this.current = value
        return value
      }
      case "Decorrelated":
        return this.decorrelated(curve.base, uniform)
    }
  }

  reset(): void {
    this.n = 0
    this.current = 0
    this.previous = 0
    this.saturated = false
  }

  // The curve of .NET Polly and cockatiel: for retry n, t = n + U, next = 2^t · tanh(sqrt(P · t)),
  // delay = (next - previous) · RP · median, capped at max. t grows with n, so once 2^t overflows (near n = 1024) it
  // stays infinite: from then on the curve answers max without computing infinity minus infinity.
  private decorrelated(median: number, uniform: () => number): number {
    if (this.saturated) return this.max
    const t = this.n++ + uniform()
    const next = Math.pow(2, t) * Math.tanh(Math.sqrt(P_FACTOR * t))
    if (!Number.isFinite(next)) {
      this.saturated = true
      return this.max
    }
    const delay = (next - this.previous) * RP_SCALING_FACTOR * median
    this.previous = next
    return Math.min(this.max, delay)
  }
}
