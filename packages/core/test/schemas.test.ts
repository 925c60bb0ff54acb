import { describe, expect, it } from "vitest"
import * as classic from "zod"
import {
  CreateEventBody,
  IntegrationConfigurationId,
  parseVercelError,
  routePath,
  routes,
  UpdateInstallationBody,
  validate
} from "../src/index.js"

const plan = { id: "pro", type: "subscription", name: "Pro" }

describe("seed examples", () => {
  it("accepts the create-event example from the Vercel docs", () => {
    expect(validate(CreateEventBody, { event: { type: "installation.updated" } }).success).toBe(true)
  })

  it("accepts the update-installation example (no body fields)", () => {
    expect(validate(UpdateInstallationBody, {})).toEqual({ success: true, data: {} })
  })

  it("accepts every documented field at once, keeping extra billing plan keys", () => {
    const body = {
      billingPlan: {
        ...plan,
        description: "For teams",
        paymentMethodRequired: true,
        cost: "$20/mo",
        details: [{ label: "Storage", value: "10 GB" }, { label: "Support" }],
        highlightedDetails: [{ label: "Fast" }],
        effectiveDate: "2026-12-01T00:00:00Z",
        maxProjects: 10
      },
      notification: {
        level: "warn",
        title: "Card expiring",
        message: "Update it",
        href: "https://example.com/billing"
      },
      status: "ready",
      externalId: "acct_42"
    }
    expect(validate(UpdateInstallationBody, body)).toEqual({ success: true, data: body })
  })

  it("accepts notification as a string and as null (clear)", () => {
    expect(validate(UpdateInstallationBody, { notification: "Hello" }).success).toBe(true)
    expect(validate(UpdateInstallationBody, { notification: null })).toEqual({
      success: true,
      data: { notification: null }
    })
  })

  it("accepts both event types", () => {
    for (const event of [
      { type: "installation.updated", billingPlanId: "pro" },
      { type: "resource.updated", resourceId: "res_1" },
      { type: "resource.updated", resourceId: "res_1", productId: "prod_1" }
    ]) {
      expect(validate(CreateEventBody, { event })).toEqual({ success: true, data: { event } })
    }
  })
})

describe("wrong forms name the field", () => {
  const cases: Array<[string, unknown, string]> = [
    [
      "plan type",
      { billingPlan: { ...plan, type: "monthly" } },
      'billingPlan.type: expected "prepayment" | "subscription", received "monthly"'
    ],
    [
      "plan id missing",
      { billingPlan: { type: "prepayment", name: "x" } },
      "billingPlan.id: required (expected string)"
    ],
    ["plan name empty", { billingPlan: { ...plan, name: "" } }, "billingPlan.name: must not be empty"],
    [
      "plan cost type",
      { billingPlan: { ...plan, cost: 20 } },
      "billingPlan.cost: expected string, received 20"
    ],
    [
      "plan flag type",
      { billingPlan: { ...plan, paymentMethodRequired: "yes" } },
      'billingPlan.paymentMethodRequired: expected boolean, received "yes"'
    ],
    [
      "plan detail label",
      { billingPlan: { ...plan, details: [{ label: "a" }, { value: "b" }] } },
      "billingPlan.details[1].label: required (expected string)"
    ],
    [
      "plan highlight key",
      { billingPlan: { ...plan, highlightedDetails: [{ label: "a", colour: "red" }] } },
      "billingPlan.highlightedDetails[0].colour: unknown field"
    ],
    [
      "plan date",
      { billingPlan: { ...plan, effectiveDate: "next tuesday" } },
      'billingPlan.effectiveDate: expected an ISO-8601 date-time with offset, received "next tuesday"'
    ],
    ["plan not object", { billingPlan: "pro" }, 'billingPlan: expected object, received "pro"'],
    [
      "notification level",
      { notification: { level: "loud", title: "t" } },
      'notification.level: expected "info" | "warn" | "error", received "loud"'
    ],
    [
      "notification title",
      { notification: { level: "info" } },
      "notification.title: required (expected string)"
    ],
    [
      "notification href",
      { notification: { level: "info", title: "t", href: "javascript:alert(1)" } },
      'notification.href: expected an absolute http(s) URL, received "javascript:alert(1)"'
    ],
    [
      "notification href relative",
      { notification: { level: "info", title: "t", href: "/billing" } },
      'notification.href: expected an absolute http(s) URL, received "/billing"'
    ],
    ["notification type", { notification: 42 }, "notification: expected object | string, received 42"],
    ["notification empty", { notification: "" }, "notification: must not be empty"],
    [
      "status",
      { status: "deleted" },
      'status: expected "ready" | "pending" | "onboarding" | "suspended" | "resumed" | "uninstalled" | "error", received "deleted"'
    ],
    ["externalId type", { externalId: 7 }, "externalId: expected string, received 7"],
    ["unknown key", { billingplan: plan }, "billingplan: unknown field"],
    ["not an object", [], "(root): expected object, received array"]
  ]
  it.each(cases)("update body: %s", (_name, input, message) => {
    const result = validate(UpdateInstallationBody, input)
    expect(result.success).toBe(false)
    if (!result.success) expect(result.message).toBe(message)
  })

  const eventCases: Array<[string, unknown, string]> = [
    ["missing event", {}, "event: required (expected object)"],
    [
      "unknown type",
      { event: { type: "project.deleted" } },
      'event.type: expected "installation.updated" | "resource.updated", received "project.deleted"'
    ],
    [
      "missing type",
      { event: {} },
      'event.type: required (expected "installation.updated" | "resource.updated")'
    ],
    [
      "missing resourceId",
      { event: { type: "resource.updated" } },
      "event.resourceId: required (expected string)"
    ],
    [
      "field of the other type",
      { event: { type: "installation.updated", resourceId: "r" } },
      "event.resourceId: unknown field"
    ],
    [
      "billingPlanId type",
      { event: { type: "installation.updated", billingPlanId: 1 } },
      "event.billingPlanId: expected string, received 1"
    ],
    ["top-level extra", { event: { type: "installation.updated" }, at: 1 }, "at: unknown field"]
  ]
  it.each(eventCases)("event body: %s", (_name, input, message) => {
    const result = validate(CreateEventBody, input)
    expect(result.success).toBe(false)
    if (!result.success) expect(result.message).toBe(message)
  })

  it("lists every issue, separated by semicolons", () => {
    const result = validate(UpdateInstallationBody, { status: "x", externalId: "" })
    expect(result.success).toBe(false)
    if (!result.success) {
      expect(result.issues.map((issue) => issue.path)).toEqual(["status", "externalId"])
      expect(result.message).toContain("; externalId: must not be empty")
    }
  })
})

describe("IntegrationConfigurationId", () => {
  it.each(["icfg_abc123", "a", "x".repeat(256), "with space", "ü"])("accepts %j", (id) => {
    expect(IntegrationConfigurationId.safeParse(id).success).toBe(true)
  })
  it.each(["", "a/b", ".", "..", "x".repeat(257)])("rejects %j", (id) => {
    expect(IntegrationConfigurationId.safeParse(id).success).toBe(false)
  })
})

describe("route contract", () => {
  it("describes both operations", () => {
    expect(routes.updateInstallation).toMatchObject({ method: "PATCH", successStatus: 204 })
    expect(routes.createEvent).toMatchObject({ method: "POST", successStatus: 201 })
  })

  it("names the path parameter in a rejection of the id", () => {
    expect(validate(routes.createEvent.params, { integrationConfigurationId: "a/b" })).toMatchObject({
      success: false,
      issues: [{ path: "integrationConfigurationId", message: 'must not contain "/"' }]
    })
  })

  it("sends an event inside `{ event }` and hands the backend the event back", () => {
    const event = { type: "resource.updated", resourceId: "res_1" } as const
    const sent = validate(routes.createEvent.body, routes.createEvent.toBody(event))
    expect(sent.success && routes.createEvent.fromBody(sent.data)).toEqual(event)
    const update = { status: "ready" } as const
    const patched = validate(routes.updateInstallation.body, routes.updateInstallation.toBody(update))
    expect(patched.success && routes.updateInstallation.fromBody(patched.data)).toEqual(update)
  })

  it("URL-encodes the id into the path", () => {
    expect(routePath(routes.updateInstallation, "icfg_1")).toBe("/v1/installations/icfg_1")
    expect(routePath(routes.createEvent, "a b?#%")).toBe("/v1/installations/a%20b%3F%23%25/events")
  })
})

describe("parseVercelError", () => {
  it("reads a Vercel body from JSON text or a value, keeping extra keys", () => {
    const body = { error: { code: "rate_limited", message: "slow down", limit: { remaining: 0 } } }
    expect(parseVercelError(JSON.stringify(body))).toEqual(body.error)
    expect(parseVercelError(body)).toEqual(body.error)
  })

  it("is lenient about missing or odd fields", () => {
    expect(parseVercelError({ error: { message: "m" } })).toEqual({ code: "unknown_error", message: "m" })
    expect(parseVercelError({ error: { code: 5 } })).toEqual({ code: "unknown_error", message: "" })
  })

  it("returns undefined for bodies that are not Vercel errors", () => {
    for (const body of ["<html>502</html>", "", "null", { message: "x" }, 42, undefined]) {
      expect(parseVercelError(body)).toBeUndefined()
    }
  })
})

// Core's schemas are built with `zod/mini` (a smaller bundle and a faster import); partners on
// classic zod compose them into their own schemas.
describe("inside classic zod schemas", () => {
  const Webhook = classic.object({
    installationId: IntegrationConfigurationId,
    update: UpdateInstallationBody,
    note: classic.string().optional()
  })

  it("parses and rejects through a classic object, with core's messages and the full path", () => {
    const update = { billingPlan: { ...plan, extra: 1 }, notification: null }
    expect(Webhook.parse({ installationId: "icfg_1", update })).toEqual({ installationId: "icfg_1", update })
    const result = validate(Webhook, {
      installationId: "a/b",
      update: { billingPlan: { ...plan, type: "monthly" } }
    })
    expect(!result.success && result.issues).toEqual([
      { path: "installationId", message: 'must not contain "/"' },
      {
        path: "update.billingPlan.type",
        message: 'expected "prepayment" | "subscription", received "monthly"'
      }
    ])
  })

  it("keeps classic methods working on the composed schema and its JSON Schema", () => {
    expect(Webhook.partial().safeParse({}).success).toBe(true)
    const json = classic.toJSONSchema(Webhook, { io: "input" })
    expect(json.properties?.update).toMatchObject({ type: "object", additionalProperties: false })
  })
})
