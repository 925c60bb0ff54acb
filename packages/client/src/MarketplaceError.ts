import type { ValidationIssue, VercelErrorDetail } from "@marketplace-kit/core"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"

/**
 * What every client error carries. None of it can hold the bearer token: errors are built
 * from these plain fields only, never from the request (whose headers hold the token).
 */
export interface ErrorFields {
  /** HTTP method of the call. */
  readonly method: "PATCH" | "POST"
  /** Request path, id URL-encoded, e.g. `/v1/installations/icfg_1/events`. */
  readonly path: string
  /** Requests sent (0 when the input was refused before any I/O). */
  readonly attempts: number
  /** HTTP status of the last response, when there was one. */
  readonly status?: number
  /** Vercel's error code from the response body, e.g. `not_found`. */
  readonly code?: string
  /** One line for humans. */
  readonly message: string
  /** The `x-vercel-id` response header, to quote to Vercel support. */
  readonly requestId?: string
  /** The parsed `error` object of Vercel's response body. */
  readonly body?: VercelErrorDetail
}

/** The input was refused by core's schemas before any request was sent. */
export class ValidationError extends Data.TaggedError("ValidationError")<
  ErrorFields & { readonly issues: ReadonlyArray<ValidationIssue> }
> {}

/** 400: Vercel refused the body. Not retried. */
export class BadRequest extends Data.TaggedError("BadRequest")<ErrorFields> {}

/** 401: the token is missing, malformed or revoked. Not retried. */
export class Unauthorized extends Data.TaggedError("Unauthorized")<ErrorFields> {}

/** 403: the token may not act on this installation. Not retried. */
export class Forbidden extends Data.TaggedError("Forbidden")<ErrorFields> {}

/** 404: no such installation (or not visible to this token). Not retried. */
export class NotFound extends Data.TaggedError("NotFound")<ErrorFields> {}

/** 429 after the retry budget ran out, or when the server asked for a wait longer than what was left of it. */
export class RateLimited extends Data.TaggedError("RateLimited")<
  ErrorFields & { readonly retryAfter?: Duration.Duration }
> {}

/**
 * Any other non-success status below 500 (408 is retried; 409, 422… are not), and every 3xx:
 * redirects are never followed, as following one would re-send the call elsewhere (a 303 as a
 * body-less GET) and report a success for a write that never happened.
 */
export class ClientError extends Data.TaggedError("ClientError")<ErrorFields> {}

/** 5xx (500/502/503/504 are retried; a 503's `Retry-After` is honoured) or a status no other class describes. */
export class ServerError extends Data.TaggedError("ServerError")<
  ErrorFields & { readonly retryAfter?: Duration.Duration }
> {}

/** No HTTP response: connection refused or reset, DNS failure, TLS failure. Retried. */
export class TransportError extends Data.TaggedError("TransportError")<ErrorFields> {}

/** An attempt got no complete response within the per-attempt timeout (or what was left of `maxElapsed`). Retried. */
export class Timeout extends Data.TaggedError("Timeout")<ErrorFields> {}

/** The token source failed, or gave an unusable token, for `installationId`; nothing was sent. Not retried. */
export class TokenError extends Data.TaggedError("TokenError")<
  ErrorFields & { readonly installationId: string; readonly cause?: unknown }
> {}

/** Every way a client call can fail. */
export type MarketplaceError =
  | ValidationError
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | RateLimited
  | ClientError
  | ServerError
  | TransportError
  | Timeout
  | TokenError

/** The tag of each client error class. */
export type MarketplaceErrorTag = MarketplaceError["_tag"]

const classes = [
  ValidationError,
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  RateLimited,
  ClientError,
  ServerError,
  TransportError,
  Timeout,
  TokenError
] as const

/** How messages count a call's attempts: "1 attempt", "3 attempts". */
export const attemptsText = (attempts: number): string => `${attempts} attempt${attempts === 1 ? "" : "s"}`

/** True for an instance of any client error class. */
export const isMarketplaceError = (u: unknown): u is MarketplaceError =>
  classes.some((errorClass) => u instanceof errorClass)

/** The error class for a non-success HTTP status (`retryAfter` is kept for a 429 or a 5xx). */
export const errorForStatus = (
  fields: ErrorFields & { readonly status: number },
  retryAfter?: Duration.Duration
): BadRequest | Unauthorized | Forbidden | NotFound | RateLimited | ClientError | ServerError => {
  switch (fields.status) {
    case 400:
      return new BadRequest(fields)
    case 401:
      return new Unauthorized(fields)
    case 403:
      return new Forbidden(fields)
    case 404:
      return new NotFound(fields)
    case 429:
      return new RateLimited({ ...fields, retryAfter })
    default:
      return fields.status >= 300 && fields.status < 500
        ? new ClientError(fields)
        : new ServerError({ ...fields, retryAfter })
  }
}
