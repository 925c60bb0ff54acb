import * as fc from "fast-check"
import { BillingPlan } from "./BillingPlan.js"
import type { CreateEventBody, MarketplaceEvent } from "./Event.js"
import type { UpdateInstallationBody } from "./Installation.js"
import type { NotificationObject } from "./Notification.js"

// Generators of valid inputs, for property tests here, in the adapter's fuzz suite, and in partners' own tests.

const text = fc.string({ minLength: 1, maxLength: 24 })
// Extra keys must not collide with the plan's own fields, whatever the schema adds.
const KNOWN_PLAN_KEYS = new Set(Object.keys(BillingPlan.shape))

/** ISO-8601 date-times with offset, as `Date#toISOString` writes them. */
export const isoDateTime: fc.Arbitrary<string> = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
  .map((date) => date.toISOString())

/** Absolute http(s) URLs. */
export const httpUrl: fc.Arbitrary<string> = fc.webUrl({ validSchemes: ["http", "https"] })

const detail = fc.record(
  { label: fc.string({ maxLength: 24 }), value: fc.string({ maxLength: 24 }) },
  { requiredKeys: ["label"] }
)

/** Valid billing plans, sometimes with extra (kept) keys. */
export const billingPlan: fc.Arbitrary<BillingPlan> = fc
  .tuple(
    fc.record(
      {
        id: text,
        type: fc.constantFrom("prepayment" as const, "subscription" as const),
        name: text,
        description: fc.string({ maxLength: 80 }),
        paymentMethodRequired: fc.boolean(),
        cost: fc.string({ maxLength: 16 }),
        details: fc.array(detail, { maxLength: 3 }),
        highlightedDetails: fc.array(detail, { maxLength: 3 }),
        effectiveDate: isoDateTime
      },
      { requiredKeys: ["id", "type", "name"] }
    ),
    fc.dictionary(
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((key) => !KNOWN_PLAN_KEYS.has(key) && key !== "__proto__"),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 2 }
    )
  )
  .map(([plan, extra]) => ({ ...extra, ...plan }))

/** Valid structured notifications. */
export const notificationObject: fc.Arbitrary<NotificationObject> = fc.record(
  {
    level: fc.constantFrom("info" as const, "warn" as const, "error" as const),
    title: text,
    message: fc.string({ maxLength: 80 }),
    href: httpUrl
  },
  { requiredKeys: ["level", "title"] }
)

/** Valid update-installation bodies (including `{}` and `notification: null`). */
export const updateInstallationBody: fc.Arbitrary<UpdateInstallationBody> = fc.record(
  {
    billingPlan,
    notification: fc.oneof(notificationObject, text, fc.constant(null)),
    status: fc.constantFrom(
      "ready" as const,
      "pending" as const,
      "onboarding" as const,
      "suspended" as const,
      "resumed" as const,
      "uninstalled" as const,
      "error" as const
    ),
    externalId: text
  },
  { requiredKeys: [] }
)

/** Valid events of both types. */
export const marketplaceEvent: fc.Arbitrary<MarketplaceEvent> = fc.oneof(
  fc.record(
    { type: fc.constant("installation.updated" as const), billingPlanId: text },
    { requiredKeys: ["type"] }
  ),
  fc.record(
    { type: fc.constant("resource.updated" as const), resourceId: text, productId: text },
    { requiredKeys: ["type", "resourceId"] }
  )
)

/** Valid create-event bodies. */
export const createEventBody: fc.Arbitrary<CreateEventBody> = marketplaceEvent.map((event) => ({ event }))

/** Valid installation ids. */
export const integrationConfigurationId: fc.Arbitrary<string> = fc
  .string({ minLength: 1, maxLength: 64 })
  .filter((id) => !id.includes("/") && id !== "." && id !== "..")
