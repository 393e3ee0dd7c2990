/**
 * What every case shares: the failure, the operations under retry, and the hand-written loops that set the floor.
 */
import * as Effect from "effect/Effect"

/** The failure every competitor sees. One shared instance, so that no figure includes building an error. */
export const failure = new Error("unavailable")

/** The value every successful operation returns. */
export const value = 1

export const isValue = (result: unknown): boolean => result === value

/**
 * A call pattern that fails `failures` times, then succeeds, then starts over. Each complete retry run consumes
 * exactly `failures + 1` calls, so the pattern needs no reset between runs.
 */
export const failing = (failures: number): () => boolean => {
  let calls = 0
  return () => calls++ % (failures + 1) < failures
}

/** The operation in each library's own shape, failing `failures` times per run. */
export const operations = (failures: number) => {
  const sync = failing(failures)
  const async = failing(failures)
  const effect = failing(failures)
  const failed = Effect.fail(failure)
  const succeeded = Effect.succeed(value)
  return {
    sync: (): number => {
      if (sync()) throw failure
      return value
    },
    async: async (): Promise<number> => {
      if (async()) throw failure
      return value
    },
    effect: Effect.suspend(() => effect() ? failed : succeeded)
  }
}

/** The floor: a synchronous loop that retries at once, without sleeping. */
export const retrySync = <A>(operation: () => A, maxRetries: number): A => {
  for (let retries = 0;; retries++) {
    try {
      return operation()
    } catch (error) {
      if (retries >= maxRetries) throw error
    }
  }
}

/**
 * The asynchronous floor: exponential delays from `baseMillis` (no sleep when it is 0), abortable through `signal`
 * like the Promise-based libraries.
 */
export const retryAsync = async <A>(
  operation: () => Promise<A>,
  maxRetries: number,
  baseMillis: number,
  signal?: AbortSignal
): Promise<A> => {
  for (let retries = 0;; retries++) {
    try {
      return await operation()
    } catch (error) {
      if (retries >= maxRetries) throw error
      if (baseMillis > 0) await sleep(baseMillis * 2 ** retries, signal)
    }
  }
}

const sleep = (millis: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    signal?.throwIfAborted()
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, millis)
    signal?.addEventListener("abort", onAbort, { once: true })
  })
