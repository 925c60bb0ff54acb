import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type { UpdateInstallationBody } from "@marketplace-kit/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { fetchTransport } from "../../src/internal/FetchTransport.js"
import { type ClientOptions, fromTransport, MarketplaceClient } from "../../src/MarketplaceClient.js"

/** A token distinctive enough that finding it anywhere is a leak. */
export const TOKEN = "vck_TEST-secret-3f9a1c7e5b2d"

/** An installation id. */
export const ID = "icfg_test123"

/** An update body using every field. */
export const fullUpdate: UpdateInstallationBody = {
  billingPlan: {
    id: "pro",
    type: "subscription",
    name: "Pro",
    description: "For teams",
    paymentMethodRequired: true,
    cost: "$20/month",
    details: [{ label: "Seats", value: "10" }, { label: "Support" }],
    highlightedDetails: [{ label: "SLA", value: "99.9%" }],
    effectiveDate: "2026-01-01T00:00:00.000Z"
  },
  notification: {
    level: "warn",
    title: "Renew soon",
    message: "Card expires",
    href: "https://example.com/billing"
  },
  status: "ready",
  externalId: "cust_42"
}

/** Retry settings that keep tests fast: real but tiny waits. */
export const fastRetry = { baseDelay: "2 millis", maxDelay: "10 millis" } as const

/**
 * Which transport `clientFor` builds on: `@effect/platform`'s `FetchHttpClient`, or with
 * `MKIT_CLIENT_TRANSPORT=fetch` (the `client-fetch` project) the Promise facade's own fetch
 * transport, so that every Effect-API test also holds for what Promise users run.
 */
export const onFetchTransport = process.env.MKIT_CLIENT_TRANSPORT === "fetch"

/** The Effect client on fetch, pointed at a test server. */
export const clientFor = (baseUrl: string, options: Partial<ClientOptions> = {}) => {
  const full: ClientOptions = { token: Redacted.make(TOKEN), baseUrl, retry: fastRetry, ...options }
  return onFetchTransport
    ? Effect.sync(() => fromTransport(fetchTransport, full))
    : MarketplaceClient.make(full).pipe(Effect.provide(FetchHttpClient.layer))
}
