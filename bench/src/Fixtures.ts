import type { MarketplaceEvent, UpdateInstallationBody } from "@marketplace-kit/core"

/** A full update body: every documented field, as a partner would send on a plan change. */
export const fullUpdateBody = {
  billingPlan: {
    id: "pro",
    type: "subscription",
    name: "Pro",
    description: "For growing teams",
    paymentMethodRequired: true,
    cost: "$20/month",
    details: [
      { label: "Storage", value: "100 GB" },
      { label: "Regions", value: "3" }
    ],
    highlightedDetails: [{ label: "Priority support" }],
    effectiveDate: "2026-12-01T00:00:00Z"
  },
  notification: {
    level: "info",
    title: "Plan changed",
    message: "You are now on Pro",
    href: "https://example.com/billing"
  },
  status: "ready",
  externalId: "acct_42"
} satisfies UpdateInstallationBody

/** A `resource.updated` event. */
export const resourceEvent = {
  type: "resource.updated",
  resourceId: "res_1",
  productId: "prod_1"
} satisfies MarketplaceEvent

/** The installation id and token the benchmark servers accept. */
export const BENCH_ID = "icfg_bench"
/** Token used against loopback servers only. */
export const BENCH_TOKEN = "bench-token-not-a-secret"
