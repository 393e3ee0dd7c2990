import { Effect, Logger, Metric, References, Tracer } from "effect"

/** Runs an effect with a metric registry of its own, so that tests never see each other's counts. */
export const isolatedMetrics = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, Metric.MetricRegistry, new Map())

/** A tracer that keeps every span it starts, with its events and attributes, for inspection. */
export const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}

/** Collects log entries at Debug and above: message, level and annotations. */
export const recordingLogger = () => {
  const entries: Array<{ message: unknown; level: string; annotations: Record<string, unknown> }> = []
  const logger = Logger.make<unknown, void>(({ fiber, logLevel, message }) => {
    entries.push({
      message: Array.isArray(message) && message.length === 1 ? message[0] : message,
      level: logLevel,
      annotations: { ...fiber.getRef(References.CurrentLogAnnotations) }
    })
  })
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.provide(Logger.layer([logger])),
      Effect.provideService(References.MinimumLogLevel, "Debug")
    )
  return { entries, provide }
}

/** The state of the metric series with this name and exactly these attributes, read from the current registry. */
export const series = (id: string, attributes: Record<string, string>) =>
  Effect.map(Metric.snapshot, (snapshots) => {
    const wanted = JSON.stringify(Object.entries(attributes).sort())
    const found = snapshots.find((s) =>
      s.id === id && JSON.stringify(Object.entries(s.attributes ?? {}).sort()) === wanted
    )
    return found?.state as any
  })
