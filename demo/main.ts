/**
 * `npm start [-- --seed N]`: a client retries calls to a scripted HTTP server on 127.0.0.1 with a policy of
 * effect-resilience, printing every attempt, the delay the policy chose and why.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as PrometheusMetrics from "effect/observability/PrometheusMetrics"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import { call, type CallResult, policyDescription } from "./client.ts"
import * as Format from "./format.ts"
import { scenarios } from "./scenarios.ts"
import { serve } from "./server.ts"

const flags = {
  seed: Flag.Int("seed").pipe(
    Flag.withDescription("Seed of the jitter; the same seed prints the same delays. Defaults to a random seed."),
    Flag.optional
  ),
  metrics: Flag.Boolean("metrics").pipe(
    Flag.withDescription("Print the Prometheus exposition of the retry metrics at the end."),
    Flag.withDefault(false)
  )
}

const demo = ({ metrics, seed }: { readonly seed: Option.Option<number>; readonly metrics: boolean }) =>
  Effect.gen(function*() {
    const chosen = Option.isSome(seed) ? seed.value : yield* Random.nextIntBetween(1, 999_999)
    yield* Console.log(`policy: ${policyDescription().join("\n        ")}`)
    yield* Console.log(`seed:   ${chosen} (run again with --seed ${chosen} for the same delays)`)
    const started = yield* Clock.currentTimeMillis

    yield* runScenarios.pipe(Random.withSeed(chosen))
    yield* Console.log(`\ntotal ${Format.wallTime((yield* Clock.currentTimeMillis) - started)}`)
    if (metrics) yield* Console.log(`\nmetrics (Prometheus exposition):\n${yield* PrometheusMetrics.format()}`)
  })

const runScenarios = Effect.scoped(Effect.gen(function*() {
  const server = yield* serve(Object.fromEntries(scenarios.map((scenario) => [scenario.path, scenario.replies])))
  for (const [index, scenario] of scenarios.entries()) {
    yield* Console.log(`\n${index + 1}. ${scenario.title}: GET ${server.url(scenario.path)}\n${Format.heading}`)
    yield* Effect.flatMap(call(server.url(scenario.path)), (result) => Console.log(summary(result)))
  }
})).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))

const summary = (result: CallResult): string => {
  const count = `${result.attempts.length} attempt${result.attempts.length === 1 ? "" : "s"}`
  const time = Format.wallTime(result.wallMillis)
  return result.stop === undefined
    ? `   succeeded after ${count} in ${time}`
    : `   gave up after ${count} in ${time}: ${result.stop}`
}

const command = Command.make("demo", flags, demo).pipe(
  Command.withDescription("Retries HTTP calls to a scripted local server with an effect-resilience policy.")
)

Command.run(command, { version: "0.1.0" }).pipe(Effect.provide(NodeServices.layer), NodeRuntime.runMain)
