import {
  attemptsText,
  createMarketplaceClient,
  defaultBaseUrl,
  isMarketplaceError,
  type MarketplaceError,
  type PromiseMarketplaceClient,
  type PromiseRetryOptions
} from "@marketplace-kit/client"
import { vercelError } from "@marketplace-kit/core"
import * as Duration from "effect/Duration"
import type { MarketplaceBackend, RequestContext } from "../Backend.js"
import { missingBearer } from "../Bearer.js"
import { errorCodeFor, HttpError } from "../HttpError.js"

/** Options of {@link createForwardBackend}. */
export interface ForwardBackendOptions {
  /** Where to forward (default `https://api.vercel.com`): Vercel, a proxy, or an emulator. */
  readonly baseUrl?: string
  /** Token to forward with; without it, each caller's own bearer token is passed through. */
  readonly token?: string
  /** Per-attempt timeout in ms (client default 10 000). */
  readonly timeoutMs?: number
  /** The client's retry policy in ms, or `false` for one attempt (client default: on). */
  readonly retry?: PromiseRetryOptions | false
  /** `User-Agent` sent upstream. */
  readonly userAgent?: string
}

// Turns the client's typed error back into the answer the upstream gave (or would have given),
// so the relay is transparent: same status, same Vercel body, same Retry-After.
const toHttpError = (error: MarketplaceError): HttpError => {
  const attempts = attemptsText(error.attempts)
  switch (error._tag) {
    case "ValidationError":
      return HttpError.of(400, error.message, { issues: error.issues })
    case "TransportError":
      return HttpError.of(502, `Upstream unreachable (${attempts})`)
    case "Timeout":
      return HttpError.of(504, `Upstream did not answer in time (${attempts})`)
  }
  const { status, body, requestId } = error
  if (status === undefined || status < 400 || status > 599) {
    return HttpError.of(502, `Upstream answered with unexpected status ${status ?? "none"}`)
  }
  const headers: Record<string, string> = requestId === undefined ? {} : { "x-vercel-id": requestId }
  if ((error._tag === "RateLimited" || error._tag === "ServerError") && error.retryAfter !== undefined) {
    headers["Retry-After"] = String(Math.ceil(Duration.toSeconds(error.retryAfter)))
  }
  return new HttpError(
    status,
    body === undefined ? vercelError(errorCodeFor(status), `Upstream answered ${status}`) : { error: body },
    headers
  )
}

/**
 * A backend that relays validated requests to Vercel (or any base URL) through
 * `@marketplace-kit/client`, retries included, with a configured token or each caller's own.
 * Upstream failures come back as the same statuses and Vercel bodies; unreachable → 502, timeout → 504.
 */
export const createForwardBackend = (options: ForwardBackendOptions = {}): MarketplaceBackend => {
  const clientFor = (token: string): PromiseMarketplaceClient =>
    createMarketplaceClient({
      token,
      // Named even when absent: the facade would otherwise read VERCEL_API_URL from the environment.
      baseUrl: options.baseUrl ?? defaultBaseUrl,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      userAgent: options.userAgent
    })
  const configured = options.token === undefined ? undefined : clientFor(options.token)
  // A caller's own token gets a client for its one request, made when the request is relayed.
  const tokenOf = (ctx: RequestContext): string => {
    if (ctx.token === undefined) throw missingBearer()
    return ctx.token
  }
  const relay = async (ctx: RequestContext, call: (client: PromiseMarketplaceClient) => Promise<void>) => {
    try {
      await call(configured ?? clientFor(tokenOf(ctx)))
    } catch (error) {
      throw isMarketplaceError(error) ? toHttpError(error) : error
    }
  }
  return {
    authorize: (ctx) => {
      if (configured === undefined) tokenOf(ctx)
      return undefined
    },
    updateInstallation: (ctx, id, body) =>
      relay(ctx, (client) => client.updateInstallation(id, body, { signal: ctx.signal })),
    createEvent: (ctx, id, event) =>
      relay(ctx, (client) => client.createEvent(id, event, { signal: ctx.signal }))
  }
}
