import { type ValidationIssue, type VercelErrorBody, vercelError } from "@marketplace-kit/core"

const CODES: Readonly<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  408: "request_timeout",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  417: "expectation_failed",
  429: "rate_limited",
  431: "request_header_fields_too_large",
  500: "internal_server_error",
  502: "bad_gateway",
  503: "service_unavailable",
  504: "gateway_timeout"
}

/** The Vercel-style error code for an HTTP status (`404` → `"not_found"`). */
export const errorCodeFor = (status: number): string =>
  CODES[status] ?? (status >= 500 ? "internal_server_error" : "bad_request")

/**
 * An HTTP failure with a Vercel-shaped body. Backends throw it (Promise) or fail with it (Effect)
 * to answer with that status, body and headers; anything else they throw is treated as a bug.
 */
export class HttpError extends Error {
  /** Discriminator, so Effect code can `catchTag("HttpError", …)`. */
  readonly _tag = "HttpError"
  override readonly name = "HttpError"

  constructor(
    /** The response status, 400–599. */
    readonly status: number,
    /** The response body, `{ error: { code, message, ...extra } }`. */
    readonly body: VercelErrorBody,
    /** Extra response headers such as `Retry-After`. */
    readonly headers: Readonly<Record<string, string>> = {},
    /**
     * Per-field detail of a 400. Vercel does not send it, so it stays out of the body: the emulator
     * records it in its request log, and the router's `explain` option adds it back for debugging.
     */
    readonly issues?: ReadonlyArray<ValidationIssue>
  ) {
    super(body.error.message)
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer in 400–599, got ${status}`)
    }
  }

  /** Builds an HttpError from a status and message; the code defaults to the status's usual one. */
  static of(
    status: number,
    message: string,
    options: {
      readonly code?: string
      readonly extra?: Record<string, unknown>
      readonly headers?: Record<string, string>
      readonly issues?: ReadonlyArray<ValidationIssue>
    } = {}
  ): HttpError {
    return new HttpError(
      status,
      vercelError(options.code ?? errorCodeFor(status), message, options.extra),
      options.headers,
      options.issues
    )
  }
}
