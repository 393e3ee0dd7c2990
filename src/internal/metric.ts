import type * as Metric from "effect/Metric"

/**
 * A metric family: one metric object per label set, each made once. Effect caches one series key per metric
 * object, so label sets that alternate on a single object (with `Metric.withAttributes`) rebuild the key on every
 * update; a metric made with its own attributes never does.
 *
 * @internal
 */
export const family = <M>(make: (attributes: Record<string, string>) => M) => {
  const members = new Map<string, M>()
  return (attributes: Record<string, string>): M => {
    const key = JSON.stringify(attributes)
    let metric = members.get(key)
    if (metric === undefined) {
      metric = make(attributes)
      members.set(key, metric)
    }
    return metric
  }
}

/** The options every member of a family shares. @internal */
export type Shared<O> = Omit<O, "attributes"> & { readonly attributes?: Metric.Metric.Attributes | undefined }
