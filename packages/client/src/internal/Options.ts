import type { ValidationIssue } from "@marketplace-kit/core"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

// Characters fetch refuses in a header value; its error would quote the whole value, token included.
const UNSAFE_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/** What is wrong with a token, never quoting it; `undefined` if nothing. @internal */
export const tokenIssue = (token: string): string | undefined =>
  token === ""
    ? "must not be empty"
    : token.trim() === ""
      ? "must not be blank"
      : UNSAFE_HEADER_VALUE.test(token)
        ? "contains characters not allowed in an HTTP header"
        : undefined

const durationIssue = (path: string, input: unknown, allowZero: boolean): ReadonlyArray<ValidationIssue> => {
  const expected = allowZero ? "a finite duration ≥ 0" : "a positive, finite duration"
  // Duration reads a negative or NaN number as zero; the number itself says what was meant.
  const valid =
    typeof input === "number"
      ? Number.isFinite(input) && (allowZero ? input >= 0 : input > 0)
      : Option.match(Duration.decodeUnknown(input), {
          onNone: () => false,
          onSome: (duration) => Duration.isFinite(duration) && (allowZero || !Duration.isZero(duration))
        })
  return valid
    ? []
    : [
        {
          path,
          message: `expected ${expected}, received ${typeof input === "number" ? input : JSON.stringify(String(input))}`
        }
      ]
}

/** The options a client checks once, before any call can send anything. */
export interface CheckedOptions {
  readonly timeout?: unknown
  readonly retry?: unknown
}

/**
 * Every problem with the timeout and retry options: a timeout that is not a positive finite
 * duration, retry durations that are not finite and ≥ 0, a `maxAttempts` that is not a whole
 * number ≥ 1. A call on a client with any of these fails with them and sends nothing.
 * @internal
 */
export const optionIssues = (options: CheckedOptions): ReadonlyArray<ValidationIssue> => {
  const issues = options.timeout === undefined ? [] : [...durationIssue("timeout", options.timeout, false)]
  const retry = options.retry
  if (retry === undefined || retry === false) return issues
  if (typeof retry !== "object" || retry === null) {
    return [...issues, { path: "retry", message: "expected retry options or false" }]
  }
  const { maxAttempts, maxElapsed, baseDelay, maxDelay } = retry as Record<string, unknown>
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && (maxAttempts as number) >= 1)) {
    issues.push({
      path: "retry.maxAttempts",
      message: `expected a whole number ≥ 1, received ${String(maxAttempts)}`
    })
  }
  for (const [path, value] of Object.entries({ maxElapsed, baseDelay, maxDelay })) {
    if (value !== undefined) issues.push(...durationIssue(`retry.${path}`, value, true))
  }
  return issues
}
