/**
 * Order statistics over samples, and the formatting every table shares.
 */

/** Location and spread of a sample set, in the samples' unit. */
export interface Summary {
  readonly median: number
  readonly p75: number
  readonly p99: number
  /** Median absolute deviation from the median, unscaled. */
  readonly mad: number
  readonly samples: number
}

/** Linear interpolation between the order statistics of `sorted`, for `q` in [0, 1]. */
export const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) return NaN
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  const weight = position - lower
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight
}

export const summarize = (samples: ReadonlyArray<number>): Summary => {
  const sorted = [...samples].sort((a, b) => a - b)
  const median = quantile(sorted, 0.5)
  const deviations = sorted.map((x) => Math.abs(x - median)).sort((a, b) => a - b)
  return {
    median,
    p75: quantile(sorted, 0.75),
    p99: quantile(sorted, 0.99),
    mad: quantile(deviations, 0.5),
    samples: sorted.length
  }
}

/** A duration in nanoseconds, with a unit that keeps three significant digits readable. */
export const formatNanos = (ns: number): string => {
  if (!Number.isFinite(ns)) return String(ns)
  const abs = Math.abs(ns)
  if (abs >= 1e9) return `${(ns / 1e9).toFixed(2)} s`
  if (abs >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`
  if (abs >= 1e4) return `${(ns / 1e3).toFixed(1)} µs`
  if (abs >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`
  return `${ns.toFixed(0)} ns`
}

export const formatBytes = (bytes: number): string => `${Math.round(bytes).toLocaleString("en-US")} B`

export const formatRatio = (ratio: number | undefined): string =>
  ratio === undefined || !Number.isFinite(ratio) ? "—" : `${ratio.toFixed(2)}x`

/** `median (MAD m, p75 a, p99 b)` in nanoseconds. */
export const formatSpread = (summary: Summary): string =>
  `MAD ${formatNanos(summary.mad)}, p75 ${formatNanos(summary.p75)}, p99 ${formatNanos(summary.p99)}`
