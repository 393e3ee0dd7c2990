/**
 * Where and with what the figures were taken: machine, runtime, package versions and source revision.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as os from "node:os"

export interface Environment {
  readonly cpu: string
  readonly cores: number
  readonly memory: string
  readonly os: string
  readonly node: string
  readonly v8: string
  readonly execPath: string
  readonly packages: ReadonlyArray<readonly [name: string, version: string]>
  readonly revision: string
  /** Files under src/ that differ from the revision when the run started. */
  readonly changedSources: ReadonlyArray<string>
}

const root = new URL("../", import.meta.url)

const versionOf = (packageJson: URL): string =>
  (JSON.parse(readFileSync(packageJson, "utf8")) as { readonly version: string }).version

const git = (...args: ReadonlyArray<string>): string | undefined => {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  } catch {
    return undefined
  }
}

export const environment = (): Environment => {
  const cpus = os.cpus()
  const dependencies = ["effect", "cockatiel", "p-retry", "tinybench"]
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    execPath: process.execPath,
    packages: [
      ["effect-resilience (this package)", versionOf(new URL("package.json", root))],
      ...dependencies.map((name) => [name, versionOf(new URL(`node_modules/${name}/package.json`, root))] as const)
    ],
    revision: git("rev-parse", "--short", "HEAD") ?? "unknown",
    changedSources: (git("status", "--porcelain", "--", "src") ?? "").split("\n").filter((line) => line !== "")
  }
}
