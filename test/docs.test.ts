import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

// Every `ts` code block in the README and in the doc comments of src/ is compiled against the library's sources,
// so an example that drifts from the API fails the suite.

const root = path.resolve(import.meta.dirname, "..")
const outDir = path.join(root, "node_modules", ".docs-check")

interface Snippet {
  readonly origin: string
  readonly code: string
}

const blocks = (text: string, origin: string): Array<Snippet> =>
  Array.from(text.matchAll(/```ts\n([\s\S]*?)```/g), (match, i) => ({ origin: `${origin} #${i + 1}`, code: match[1]! }))

const fromDocComments = (file: string): Array<Snippet> => {
  const source = fs.readFileSync(file, "utf8")
  const comments = Array.from(source.matchAll(/\/\*\*([\s\S]*?)\*\//g), (m) => m[1]!.replace(/^[ \t]*\* ?/gm, ""))
  return blocks(comments.join("\n"), path.relative(root, file))
}

const sourceFiles = fs.readdirSync(path.join(root, "src"))
  .filter((name) => name.endsWith(".ts"))
  .map((name) => path.join(root, "src", name))

const snippets: Array<Snippet> = [
  ...blocks(fs.readFileSync(path.join(root, "README.md"), "utf8"), "README.md"),
  ...sourceFiles.flatMap(fromDocComments)
]

describe("documentation examples", () => {
  it("there are examples in the README and in every public module", () => {
    expect(snippets.filter((s) => s.origin.startsWith("README.md")).length).toBeGreaterThanOrEqual(4)
    for (const file of sourceFiles) {
      expect(snippets.some((s) => s.origin.startsWith(path.relative(root, file)))).toBe(true)
    }
  })

  it("every example compiles against the library", () => {
    fs.rmSync(outDir, { recursive: true, force: true })
    fs.mkdirSync(outDir, { recursive: true })
    const files = snippets.map((snippet, i) => {
      const file = path.join(outDir, `example${i}.ts`)
      fs.writeFileSync(file, `${snippet.code}\nexport {}\n`)
      return { file, snippet }
    })
    const program = ts.createProgram(files.map((f) => f.file), {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      types: ["node"],
      baseUrl: root,
      paths: {
        "effect-resilience": ["src/index.ts"],
        "effect-resilience/*": ["src/*.ts"]
      }
    })
    const problems = files.flatMap(({ file, snippet }) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) =>
        `${snippet.origin}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}\n${snippet.code}`
      )
    )
    expect(problems).toStrictEqual([])
  }, 120_000)
})
