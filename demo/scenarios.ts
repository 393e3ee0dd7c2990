/**
 * The three calls of the demo, each with the replies its endpoint is scripted to give.
 */
import { drop, type Reply, retryAfterDate, retryAfterSeconds, status } from "./server.ts"

/** One call against one scripted endpoint. */
export interface Scenario {
  readonly title: string
  readonly path: string
  readonly replies: ReadonlyArray<Reply>
}

export const scenarios: ReadonlyArray<Scenario> = [
  {
    title: "A flaky endpoint recovers",
    path: "/flaky",
    replies: [
      status(503, retryAfterSeconds(1)),
      drop,
      status(429, retryAfterDate(2)),
      status(500),
      status(200)
    ]
  },
  {
    title: "A bad request is not retried",
    path: "/bad-request",
    replies: [status(400)]
  },
  {
    title: "The server asks for a longer wait than the policy accepts",
    path: "/maintenance",
    replies: [status(503, retryAfterSeconds(3600))]
  }
]
