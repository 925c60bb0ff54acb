import { isMarketplaceError } from "@marketplace-kit/client"
import type { MarketplaceEvent, UpdateInstallationBody } from "@marketplace-kit/core"
import type { MarketplaceBackend } from "../Backend.js"
import { HttpError } from "../HttpError.js"

/**
 * Where {@link createOutboxBackend} stores ops: `openOutbox(…)` of `@marketplace-kit/outbox` as it is
 * (named by shape, so this package does not depend on the outbox and its database drivers).
 */
export interface OutboxSink {
  /** Resolves with the op id once the PATCH is durably stored. */
  updateInstallation(id: string, body: UpdateInstallationBody): Promise<string>
  /** Resolves with the op id once the event is durably stored. */
  createEvent(id: string, event: MarketplaceEvent): Promise<string>
}

// The router has validated already; a refusal here would be the outbox's own validation (400). Any
// other failure means the op was not stored, so the caller must retry: 503, never 202.
const storeFailure = (error: unknown): never => {
  if (isMarketplaceError(error) && error._tag === "ValidationError")
    throw HttpError.of(400, error.message, { issues: error.issues })
  throw HttpError.of(503, "The write could not be stored; nothing was accepted, retry later", {
    headers: { "Retry-After": "1" }
  })
}

/**
 * A backend that stores each validated write in an outbox and answers **202 Accepted** with
 * `{ "id": "<op id>" }` once it is durably stored; the outbox's workers deliver it to Vercel later, in
 * order per installation, with retries. It checks no bearer token: put your own auth in front.
 */
export const createOutboxBackend = (outbox: OutboxSink): MarketplaceBackend => {
  const accepted = (stored: Promise<string>) =>
    stored.then((id) => ({ status: 202, body: { id } }), storeFailure)
  return {
    updateInstallation: (_ctx, id, body) => accepted(outbox.updateInstallation(id, body)),
    createEvent: (_ctx, id, event) => accepted(outbox.createEvent(id, event))
  }
}
