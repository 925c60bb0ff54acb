import { median, percentile } from "./Stats.js"

/** One request; `i` lets a contender alternate operations. */
export type Call = (i: number) => Promise<void>

/** Throughput and latency of one contender. */
export interface LoadResult {
  readonly requestsPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** Runs `requests` calls with at most `concurrency` in flight. */
export const runRound = async (call: Call, requests: number, concurrency: number): Promise<LoadResult> => {
  const latencies: Array<number> = []
  let next = 0
  const worker = async () => {
    while (next < requests) {
      const i = next++
      const started = performance.now()
      await call(i)
      latencies.push(performance.now() - started)
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - started) / 1000
  return {
    requestsPerSec: requests / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99)
  }
}

/**
 * Measures contenders fairly: one unrecorded warm-up each, then `rounds` rounds in which the
 * contenders take turns, so drift on the machine hits all of them alike. The order rotates each
 * round, so no contender always runs right after the same one (and pays for its garbage).
 */
export const interleavedRounds = async <T>(
  contenders: Record<string, () => T | Promise<T>>,
  rounds: number
): Promise<Record<string, Array<T>>> => {
  const samples: Record<string, Array<T>> = Object.fromEntries(
    Object.keys(contenders).map((name) => [name, []])
  )
  for (const measure of Object.values(contenders)) await measure()
  const entries = Object.entries(contenders)
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < entries.length; turn++) {
      const [name, measure] = entries[(round + turn) % entries.length]!
      samples[name]?.push(await measure())
    }
  }
  return samples
}

/** Applies `f` to every value of a record. */
export const mapValues = <A, B>(record: Record<string, A>, f: (value: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]))

/** Medians of each figure over rounds. */
export const summarize = (samples: ReadonlyArray<LoadResult>): LoadResult => ({
  requestsPerSec: median(samples.map((s) => s.requestsPerSec)),
  p50Ms: median(samples.map((s) => s.p50Ms)),
  p99Ms: median(samples.map((s) => s.p99Ms))
})

/** Median req/s, p50 and p99 of each contender over interleaved rounds of `requests` calls. */
export const compare = async (
  contenders: Record<string, Call>,
  options: { readonly requests: number; readonly concurrency: number; readonly rounds: number }
): Promise<Record<string, LoadResult>> =>
  mapValues(
    await interleavedRounds(
      mapValues(contenders, (call) => () => runRound(call, options.requests, options.concurrency)),
      options.rounds
    ),
    summarize
  )
