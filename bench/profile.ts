/**
 * CPU profiles of one competitor, taken in-process through the inspector, summarised as shares of the sampled time:
 * self time by source file, and inclusive time by function of this library.
 */
import { readFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import type { Competitor } from "./harness.ts"

export interface Share {
  readonly label: string
  /** Fraction of the non-idle samples, in [0, 1]. */
  readonly share: number
}

export interface Profile {
  /** Self time by file (or by runtime activity such as garbage collection), largest first. */
  readonly byFile: ReadonlyArray<Share>
  /** Time spent in each function of src/ including its callees, largest first, labelled with its first line. */
  readonly library: ReadonlyArray<Share>
}

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}

const root = new URL("../", import.meta.url).href

/** Calls the competitor in a loop for `millis` under the sampling profiler. */
export const profile = async (competitor: Competitor, millis: number): Promise<Profile> => {
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 50 })
  await session.post("Profiler.start")
  const start = performance.now()
  while (performance.now() - start < millis) {
    for (let i = 0; i < 100; i++) {
      if ("sync" in competitor) competitor.sync()
      else await competitor.async()
    }
  }
  const { profile: raw } = await session.post("Profiler.stop")
  session.disconnect()
  return summarize(raw.nodes as ReadonlyArray<Node>, raw.samples ?? [])
}

const fileOf = (node: Node): string => {
  const { functionName, url } = node.callFrame
  if (url === "") return functionName === "(garbage collector)" ? "garbage collection" : "native code and event loop"
  if (url.startsWith("node:")) return "Node internals"
  const path = url.startsWith(root) ? url.slice(root.length) : url
  return path.replace(/^node_modules\//, "").replace("/dist/", "/")
}

const sources = new Map<string, ReadonlyArray<string>>()

// Node strips types in place, so profile positions are positions in the .ts file.
const sourceLine = (path: string, line: number): string => {
  if (!sources.has(path)) sources.set(path, readFileSync(new URL(path, root), "utf8").split("\n"))
  const text = sources.get(path)![line]?.trim() ?? ""
  return text.length > 70 ? `${text.slice(0, 69)}…` : text
}

const summarize = (nodes: ReadonlyArray<Node>, samples: ReadonlyArray<number>): Profile => {
  const byId = new Map(nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id)

  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let total = 0
  for (const id of samples) {
    const node = byId.get(id)!
    if (node.callFrame.functionName === "(idle)") continue
    total++
    const file = fileOf(node)
    self.set(file, (self.get(file) ?? 0) + 1)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!
      const path = fileOf(frame)
      if (!path.startsWith("src/")) continue
      const label = `${path}:${frame.callFrame.lineNumber + 1} \`${sourceLine(path, frame.callFrame.lineNumber)}\``
      if (!seen.has(label)) inclusive.set(label, (inclusive.get(label) ?? 0) + 1)
      seen.add(label)
    }
  }
  const shares = (counts: Map<string, number>): Array<Share> =>
    [...counts].map(([label, count]) => ({ label, share: count / total })).sort((a, b) => b.share - a.share)
  return { byFile: shares(self), library: shares(inclusive) }
}
