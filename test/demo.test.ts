import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"

interface Run {
  readonly exitCode: number
  readonly stdout: string
}

const demo = fileURLToPath(new URL("../demo/main.ts", import.meta.url))

const runDemo = (...args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [demo, ...args], { timeout: 20_000 }, (error, stdout) => {
      resolve({ exitCode: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout })
    })
  })

/** The delay column of every attempt line that scheduled a retry: "<delay> <reason>". */
const delays = (stdout: string): Array<string> =>
  [...stdout.matchAll(/wait +(\d+(?:\.\d)? (?:ms|s)) +(backoff|server hint)$/gm)].map(([, delay, reason]) =>
    `${delay} ${reason}`
  )

describe("demo", () => {
  let first: Run
  let second: Run

  beforeAll(async () => {
    const runs = await Promise.all([runDemo("--seed", "1"), runDemo("--seed", "1", "--metrics")])
    first = runs[0]
    second = runs[1]
  }, 30_000)

  it("exits 0 and names its seed", () => {
    expect(first.exitCode).toBe(0)
    expect(second.exitCode).toBe(0)
    expect(first.stdout).toContain("seed:   1 (run again with --seed 1")
  })

  it("retries 503, a dropped connection, 429 and 500, obeying both Retry-After forms, then gets 200", () => {
    const lines = first.stdout.split("\n")
    const start = lines.findIndex((line) => line.startsWith("1. "))
    const attempts = lines.slice(start + 2, start + 8).map((line) => line.replace(/\s+/g, " ").trim())
    expect(attempts[0]).toMatch(/^1 503 Service Unavailable \(Retry-After: 1\) wait 1 s server hint$/)
    expect(attempts[1]).toMatch(/^2 connection reset wait \d+ ms backoff$/)
    expect(attempts[2]).toMatch(/^3 429 Too Many Requests \(Retry-After: \w{3}, .+ GMT\) wait 2 s server hint$/)
    expect(attempts[3]).toMatch(/^4 500 Internal Server Error wait \d+(\.\d)? m?s backoff$/)
    expect(attempts[4]).toBe("5 200 OK")
    expect(attempts[5]).toMatch(/^succeeded after 5 attempts in \d+\.\d\d s$/)
  })

  it("stops a 400 after one attempt as not-retryable", () => {
    expect(first.stdout).toMatch(/^ +1 +400 Bad Request +stop +not-retryable$/m)
    expect(first.stdout).toMatch(/^ +gave up after 1 attempt in \d+\.\d\d s: not-retryable$/m)
  })

  it("stops a Retry-After of an hour after one attempt as retry-after-too-long", () => {
    expect(first.stdout).toMatch(/^ +1 +503 Service Unavailable \(Retry-After: 3600\) +stop +retry-after-too-long/m)
    expect(first.stdout).toMatch(/^ +gave up after 1 attempt in \d+\.\d\d s: retry-after-too-long$/m)
  })

  it("with --metrics, ends with the Prometheus exposition of what happened", () => {
    expect(first.stdout).not.toContain("resilience_")
    const exposition = second.stdout.slice(second.stdout.indexOf("metrics (Prometheus exposition):"))
    for (
      const line of [
        `resilience_retry_retries_total{policy="demo.get"} 4`,
        `resilience_retry_stops_total{policy="demo.get",reason="not-retryable"} 1`,
        `resilience_retry_stops_total{policy="demo.get",reason="retry-after-too-long"} 1`,
        `resilience_retry_calls_total{policy="demo.get",outcome="success_with_retry"} 1`,
        `resilience_retry_calls_total{policy="demo.get",outcome="failed_without_retry"} 2`,
        `resilience_retry_attempt_duration_seconds_count{policy="demo.get",outcome="failure"} 6`,
        `resilience_retry_delay_seconds_count{policy="demo.get"} 4`
      ]
    ) {
      expect(exposition.split("\n")).toContain(line)
    }
  })

  it("prints the same delays for the same seed", () => {
    expect(delays(first.stdout)).toHaveLength(4)
    expect(delays(second.stdout)).toEqual(delays(first.stdout))
  })
})
