import type { MarketplaceEvent, Notification, UpdateInstallationBody } from "@marketplace-kit/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { fetchClient } from "./FetchClient.js"
import type { RetryOptions } from "./Retry.js"

// `@marketplace-kit/client/promise`: everything a Promise user needs. The entry is bundled on its own,
// so the error classes it exports are the very ones its calls reject with.
export type {
  MarketplaceEvent,
  Notification,
  UpdateInstallationBody,
  ValidationIssue,
  VercelErrorDetail
} from "@marketplace-kit/core"
export * from "./MarketplaceError.js"

/** `RetryOptions` with every duration in milliseconds. */
export type PromiseRetryOptions = { readonly [K in keyof RetryOptions]?: number }

/** Options of `createMarketplaceClient`. */
export interface PromiseClientOptions {
  /**
   * Vercel access token, or a per-installation source called once per installation (again after the
   * server refuses its token); wrapped in `Redacted` at once and never printed. Default: `VERCEL_TOKEN`.
   */
  readonly token?: string | ((installationId: string) => string | Promise<string>)
  /** Default `VERCEL_API_URL`, else `https://api.vercel.com`. */
  readonly baseUrl?: string
  /** Per-attempt timeout in ms (default 10 000). */
  readonly timeoutMs?: number
  /** Retry policy in ms; `false` sends each call once. On by default. */
  readonly retry?: PromiseRetryOptions | false
  /** `User-Agent` header (default `marketplace-kit`). */
  readonly userAgent?: string
}

/** Per-call options. */
export interface CallOptions {
  /** Aborting it stops the call (an attempt in flight or a wait between retries) and rejects with its reason. */
  readonly signal?: AbortSignal
}

/** The client for Promise users; every call rejects with a `MarketplaceError` class (or the abort reason). */
export interface PromiseMarketplaceClient {
  /** `PATCH /v1/installations/{id}`; resolves on 204. */
  readonly updateInstallation: (
    id: string,
    body: UpdateInstallationBody,
    options?: CallOptions
  ) => Promise<void>
  /** `POST /v1/installations/{id}/events` with `{ event }`; resolves on 201. */
  readonly createEvent: (id: string, event: MarketplaceEvent, options?: CallOptions) => Promise<void>
  /** Shows a notification on the installation. */
  readonly setNotification: (id: string, notification: Notification, options?: CallOptions) => Promise<void>
  /** Removes the installation's notification (`notification: null`). */
  readonly clearNotification: (id: string, options?: CallOptions) => Promise<void>
  /** Sends an `installation.updated` event. */
  readonly installationUpdated: (id: string, billingPlanId?: string, options?: CallOptions) => Promise<void>
  /** Sends a `resource.updated` event. */
  readonly resourceUpdated: (
    id: string,
    resourceId: string,
    productId?: string,
    options?: CallOptions
  ) => Promise<void>
}

const run = (effect: Effect.Effect<void, unknown>, signal: AbortSignal | undefined): Promise<void> => {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return Effect.runPromiseExit(effect, signal === undefined ? undefined : { signal }).then((exit) => {
    if (Exit.isSuccess(exit)) return
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) throw failure.value
    if (signal?.aborted) throw signal.reason
    throw Cause.squash(exit.cause)
  })
}

/** The client on global `fetch`, for code that does not use Effect. Same validation, retries and errors. */
export const createMarketplaceClient = (options: PromiseClientOptions = {}): PromiseMarketplaceClient => {
  const client = fetchClient(options)
  return {
    updateInstallation: (id, body, call) => run(client.updateInstallation(id, body), call?.signal),
    createEvent: (id, event, call) => run(client.createEvent(id, event), call?.signal),
    setNotification: (id, notification, call) => run(client.setNotification(id, notification), call?.signal),
    clearNotification: (id, call) => run(client.clearNotification(id), call?.signal),
    installationUpdated: (id, billingPlanId, call) =>
      run(client.installationUpdated(id, billingPlanId), call?.signal),
    resourceUpdated: (id, resourceId, productId, call) =>
      run(client.resourceUpdated(id, resourceId, productId), call?.signal)
  }
}
