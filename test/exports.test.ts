import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

// Imports the built package the way a user's Node does, through the package's own "exports" (run after the build).
const root = path.resolve(import.meta.dirname, "..")
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))
const subpaths = Object.keys(pkg.exports).filter((key) => key !== ".").map((key) => key.slice(2))

const exportsOf = (specifier: string): Array<string> => {
  const script = `import(${JSON.stringify(specifier)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root }).toString())
}

describe("package exports", () => {
  it("every module of src/ is a sub-path export, and the root exports each as a namespace", () => {
    const modules = fs.readdirSync(path.join(root, "src"))
      .filter((name) => name.endsWith(".ts") && name !== "index.ts")
      .map((name) => name.slice(0, -3))
      .sort()
    expect(subpaths.sort()).toStrictEqual(modules)
    expect(exportsOf("effect-resilience")).toStrictEqual(modules)
  })

  it("each sub-path resolves to the compiled module with the same exports as the namespace", () => {
    const script = `import * as root from "effect-resilience"
      const out = {}
      for (const name of ${JSON.stringify(subpaths)}) {
        const sub = await import("effect-resilience/" + name)
        out[name] = Object.keys(sub).every((key) => sub[key] === root[name][key]) && Object.keys(sub).length > 0
      }
      console.log(JSON.stringify(out))`
    const result = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root }).toString()
    )
    expect(result).toStrictEqual(Object.fromEntries(subpaths.map((name) => [name, true])))
  })
})
