import { CreateEventRequestBody$outboundSchema } from "@vercel/sdk/models/createeventop.js"
import { UpdateInstallationRequestBody$outboundSchema } from "@vercel/sdk/models/updateinstallationop.js"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Arb from "../src/Arbitraries.js"
import { CreateEventBody, UpdateInstallationBody } from "../src/index.js"

// @vercel/sdk is the reference client: whatever body it would send, core must accept.
// Where the two differ, the difference is written down here with its reason; anything
// not listed must agree exactly.

const sdkAcceptsUpdate = (body: unknown) =>
  UpdateInstallationRequestBody$outboundSchema.safeParse(body).success
const sdkAcceptsEvent = (body: unknown) => CreateEventRequestBody$outboundSchema.safeParse(body).success
const coreAcceptsUpdate = (body: unknown) => UpdateInstallationBody.safeParse(body).success
const coreAcceptsEvent = (body: unknown) => CreateEventBody.safeParse(body).success

const plan = { id: "pro", type: "subscription", name: "Pro" }

/** Bodies both must accept, or both must reject. */
const agreeing: ReadonlyArray<[unknown, boolean]> = [
  [{}, true],
  [{ billingPlan: plan }, true],
  [
    {
      billingPlan: { ...plan, details: [{ label: "a", value: "b" }], cost: "1", paymentMethodRequired: false }
    },
    true
  ],
  [{ billingPlan: { ...plan, effectiveDate: "2026-01-01T00:00:00.000Z" } }, true],
  [{ notification: "text" }, true],
  [{ notification: { level: "error", title: "t", message: "m", href: "https://vercel.com" } }, true],
  [{ status: "suspended", externalId: "x" }, true],
  [{ billingPlan: { ...plan, type: "monthly" } }, false],
  [{ billingPlan: { id: "x" } }, false],
  [{ billingPlan: { ...plan, cost: 5 } }, false],
  [{ billingPlan: { ...plan, details: [{ value: "v" }] } }, false],
  [{ notification: 5 }, false],
  [{ notification: { level: "loud", title: "t" } }, false],
  [{ notification: { level: "info" } }, false],
  [{ status: "deleted" }, false],
  [{ externalId: 1 }, false],
  [[], false],
  ["body", false]
]

/** Where core and the SDK knowingly differ, and why. */
const divergent: ReadonlyArray<{ body: unknown; core: boolean; sdk: boolean; why: string }> = [
  {
    body: { notification: null },
    core: true,
    sdk: false,
    why: "the API documents null as 'clear'; the SDK's schema forgot it"
  },
  {
    body: { unknown: 1 },
    core: false,
    sdk: true,
    why: "spec says additionalProperties: false; the SDK strips the key and sends {}"
  },
  {
    body: { notification: "" },
    core: false,
    sdk: true,
    why: "an empty notification shows nothing; we ask for a non-empty string"
  },
  {
    body: { billingPlan: { ...plan, id: "" } },
    core: false,
    sdk: true,
    why: "an empty plan id cannot name a plan"
  },
  {
    body: { billingPlan: { ...plan, effectiveDate: "soon" } },
    core: false,
    sdk: true,
    why: "effectiveDate must be an ISO-8601 date-time"
  },
  {
    body: { notification: { level: "info", title: "t", href: "/x" } },
    core: false,
    sdk: true,
    why: "href must be an absolute http(s) URL"
  },
  { body: { externalId: "" }, core: false, sdk: true, why: "an empty external id identifies nothing" }
]

const agreeingEvents: ReadonlyArray<[unknown, boolean]> = [
  [{ event: { type: "installation.updated" } }, true],
  [{ event: { type: "installation.updated", billingPlanId: "pro" } }, true],
  [{ event: { type: "resource.updated", resourceId: "r", productId: "p" } }, true],
  [{ event: { type: "resource.updated" } }, false],
  [{ event: { type: "other" } }, false],
  [{ event: "installation.updated" }, false],
  [{}, false]
]

const divergentEvents: ReadonlyArray<{ body: unknown; core: boolean; sdk: boolean; why: string }> = [
  {
    body: { event: { type: "installation.updated" }, extra: 1 },
    core: false,
    sdk: true,
    why: "unknown keys rejected; the SDK strips them"
  },
  {
    body: { event: { type: "resource.updated", resourceId: "" } },
    core: false,
    sdk: true,
    why: "an empty resource id names no resource"
  }
]

describe("core and @vercel/sdk accept the same update bodies", () => {
  it.each(agreeing.map(([body, ok]) => [JSON.stringify(body), body, ok] as const))("%s", (_, body, ok) => {
    expect(coreAcceptsUpdate(body)).toBe(ok)
    expect(sdkAcceptsUpdate(body)).toBe(ok)
  })

  it.each(divergent.map((d) => [d.why, d] as const))("known difference: %s", (_, d) => {
    expect({ core: coreAcceptsUpdate(d.body), sdk: sdkAcceptsUpdate(d.body) }).toEqual({
      core: d.core,
      sdk: d.sdk
    })
  })

  it("the SDK accepts every body core accepts, except notification: null", () => {
    fc.assert(
      fc.property(Arb.updateInstallationBody, (body) => {
        expect(sdkAcceptsUpdate(body)).toBe(body.notification !== null)
      }),
      { numRuns: 500 }
    )
  })

  it("core rejects every JSON value the SDK rejects, except notification: null", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
        const isNullNotification =
          typeof value === "object" &&
          value !== null &&
          "notification" in value &&
          value.notification === null
        if (!sdkAcceptsUpdate(value) && !isNullNotification) expect(coreAcceptsUpdate(value)).toBe(false)
      }),
      { numRuns: 1000 }
    )
  })
})

describe("core and @vercel/sdk accept the same event bodies", () => {
  it.each(agreeingEvents.map(([body, ok]) => [JSON.stringify(body), body, ok] as const))(
    "%s",
    (_, body, ok) => {
      expect(coreAcceptsEvent(body)).toBe(ok)
      expect(sdkAcceptsEvent(body)).toBe(ok)
    }
  )

  it.each(divergentEvents.map((d) => [d.why, d] as const))("known difference: %s", (_, d) => {
    expect({ core: coreAcceptsEvent(d.body), sdk: sdkAcceptsEvent(d.body) }).toEqual({
      core: d.core,
      sdk: d.sdk
    })
  })

  it("the SDK accepts every event core accepts, and core rejects what the SDK rejects", () => {
    fc.assert(
      fc.property(Arb.createEventBody, fc.jsonValue({ maxDepth: 3 }), (body, value) => {
        expect(sdkAcceptsEvent(body)).toBe(true)
        if (!sdkAcceptsEvent(value)) expect(coreAcceptsEvent(value)).toBe(false)
      }),
      { numRuns: 500 }
    )
  })
})
