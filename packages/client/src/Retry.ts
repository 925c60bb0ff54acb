import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { MarketplaceError } from "./MarketplaceError.js"

/**
 * How failed calls are retried. Retrying is safe for both operations: the PATCH sets fields to
 * the values given, so sending it twice leaves the same state (idempotent), and an event only
 * tells Vercel to re-read the installation or resource, so a duplicate costs one extra read.
 */
export interface RetryOptions {
  /** Requests per call, the first one included (default 5). */
  readonly maxAttempts?: number
  /** Total time for a call, attempts and waits included; a wait that would not fit is not started (default 60 s). */
  readonly maxElapsed?: Duration.DurationInput
  /** First backoff delay, doubled on each retry and jittered ±20% (default 200 ms). */
  readonly baseDelay?: Duration.DurationInput
  /** Longest backoff delay; a longer `Retry-After` is still honoured (default 10 s). */
  readonly maxDelay?: Duration.DurationInput
}

/** Retry options with every default filled in. */
export interface RetryPolicy {
  readonly maxAttempts: number
  readonly maxElapsed: Duration.Duration
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
}

/** The policy used when none is given. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  maxElapsed: Duration.seconds(60),
  baseDelay: Duration.millis(200),
  maxDelay: Duration.seconds(10)
}

/** Fills in defaults; `false` means a single attempt. */
export const retryPolicy = (options: RetryOptions | false | undefined): RetryPolicy => {
  if (options === false) return { ...defaultRetryPolicy, maxAttempts: 1 }
  const attempts = options?.maxAttempts ?? defaultRetryPolicy.maxAttempts
  return {
    maxAttempts: Number.isFinite(attempts)
      ? Math.max(1, Math.floor(attempts))
      : defaultRetryPolicy.maxAttempts,
    maxElapsed: Duration.decode(options?.maxElapsed ?? defaultRetryPolicy.maxElapsed),
    baseDelay: Duration.decode(options?.baseDelay ?? defaultRetryPolicy.baseDelay),
    maxDelay: Duration.decode(options?.maxDelay ?? defaultRetryPolicy.maxDelay)
  }
}

/** Statuses worth another try: the server said "later" or failed in a way that may pass. */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/** Whether another attempt could succeed; 400/401/403/404 and other 4xx would fail the same way again. */
export const isRetryable = (error: MarketplaceError): boolean => {
  switch (error._tag) {
    case "TransportError":
    case "Timeout":
      return true
    case "RateLimited":
    case "ClientError":
    case "ServerError":
      return error.status !== undefined && retryableStatuses.has(error.status)
    default:
      return false
  }
}

const NUMBER = /^\s*\d+(\.\d+)?\s*$/

/**
 * The longest wait a hint is read as: a server asking for longer (a 400-digit number, a date years
 * ahead) gets this, so no message or `--json` output shows `Infinity` or a nonsense duration, and
 * the call fails at once as its budget cannot hold the wait.
 */
export const maxHint: Duration.Duration = Duration.hours(24)

const wait = (ms: number): Duration.Duration | undefined =>
  Number.isNaN(ms) ? undefined : Duration.millis(Math.min(Math.max(0, ms), Duration.toMillis(maxHint)))

// A non-negative number given as a JSON number or a numeric header string.
const numberOf = (value: unknown): number | undefined => {
  const number =
    typeof value === "number"
      ? value
      : typeof value === "string" && NUMBER.test(value)
        ? Number(value)
        : Number.NaN
  return Number.isFinite(number) && number >= 0 ? number : undefined
}

// Epoch seconds, or epoch milliseconds when above 10^12 (seconds only get there in the year 33658).
const epochMillis = (epoch: number): number => (epoch > 1e12 ? epoch : epoch * 1000)

/**
 * `Retry-After` (or `retry-after-ms`) as a wait: delta-seconds or an HTTP-date relative to `now`
 * (ms). `undefined` when absent or unreadable; capped at `maxHint`.
 */
export const parseRetryAfter = (
  headers: Readonly<Record<string, string | undefined>>,
  now: number
): Duration.Duration | undefined => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined && NUMBER.test(ms)) return wait(Number(ms))
  const value = headers["retry-after"]
  if (value === undefined) return undefined
  if (NUMBER.test(value)) return wait(Number(value) * 1000)
  // An HTTP-date always names its day and month; this keeps Date.parse from reading "-3" as a year.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN
  return wait(date - now)
}

/**
 * How long a response asks the next attempt to wait, `undefined` if it does not say. A 429: its
 * `Retry-After`, else `X-RateLimit-Reset` (epoch seconds, or ms above 10^12), else the body's
 * `error.limit.resetMs` (epoch ms) or `error.limit.reset` (epoch s). A 503: its `Retry-After`.
 */
export const retryHint = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  body: Readonly<Record<string, unknown>> | undefined,
  now: number
): Duration.Duration | undefined => {
  if (status !== 429 && status !== 503) return undefined
  const retryAfter = parseRetryAfter(headers, now)
  if (retryAfter !== undefined || status === 503) return retryAfter
  const reset = numberOf(headers["x-ratelimit-reset"])
  if (reset !== undefined) return wait(epochMillis(reset) - now)
  const limit =
    typeof body?.limit === "object" && body.limit !== null ? (body.limit as Record<string, unknown>) : {}
  const resetMs = numberOf(limit.resetMs)
  if (resetMs !== undefined) return wait(resetMs - now)
  const resetAt = numberOf(limit.reset)
  return resetAt === undefined ? undefined : wait(epochMillis(resetAt) - now)
}

/**
 * Decides each retry and outputs its delay: exponential backoff with jitter, capped per delay
 * and in attempts, never shorter than the wait a 429 or 503 asked for (`retryHint`), and stopped (so the last error is
 * returned at once) when the delay would end past `maxElapsed` counted from `startedAt`.
 */
export const schedule = (
  policy: RetryPolicy,
  startedAt: number
): Schedule.Schedule<Duration.Duration, MarketplaceError> =>
  Schedule.exponential(policy.baseDelay).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, policy.maxDelay)),
    Schedule.intersect(Schedule.recurs(policy.maxAttempts - 1)),
    Schedule.whileInput(isRetryable),
    Schedule.passthrough,
    Schedule.modifyDelay((error, delay) =>
      (error._tag === "RateLimited" || error._tag === "ServerError") && error.retryAfter !== undefined
        ? Duration.max(delay, error.retryAfter)
        : delay
    ),
    Schedule.delays,
    Schedule.checkEffect((_, delay) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) => now - startedAt + Duration.toMillis(delay) <= Duration.toMillis(policy.maxElapsed)
      )
    )
  )
