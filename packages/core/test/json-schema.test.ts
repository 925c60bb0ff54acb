import { Ajv2020 } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Arb from "../src/Arbitraries.js"
import { CreateEventBody, UpdateInstallationBody } from "../src/index.js"
import { createEventJsonSchema, updateInstallationJsonSchema } from "../src/JsonSchema.js"

const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats.default(ajv)
const jsonUpdate = ajv.compile(updateInstallationJsonSchema)
const jsonEvent = ajv.compile(createEventJsonSchema)

const plan = { id: "p", type: "prepayment", name: "P" }
const invalidUpdates: ReadonlyArray<unknown> = [
  [],
  "x",
  null,
  { extra: 1 },
  { billingPlan: {} },
  { billingPlan: { ...plan, type: "monthly" } },
  { billingPlan: { ...plan, id: "" } },
  { billingPlan: { ...plan, details: [{}] } },
  { billingPlan: { ...plan, details: [{ label: "a", extra: 1 }] } },
  { billingPlan: { ...plan, effectiveDate: "2026-13-01T00:00:00Z" } },
  { billingPlan: { ...plan, effectiveDate: "2026-01-01" } },
  { billingPlan: { ...plan, paymentMethodRequired: "true" } },
  { notification: "" },
  { notification: 1 },
  { notification: { level: "info" } },
  { notification: { level: "debug", title: "t" } },
  { notification: { level: "info", title: "t", href: "ftp://x.com" } },
  { notification: { level: "info", title: "t", href: "mailto:a@b.c" } },
  { notification: { level: "info", title: "t", extra: 1 } },
  { status: "gone" },
  { externalId: "" },
  { externalId: null }
]
const invalidEvents: ReadonlyArray<unknown> = [
  {},
  { event: null },
  { event: { type: "other" } },
  { event: { type: "resource.updated" } },
  { event: { type: "resource.updated", resourceId: "" } },
  { event: { type: "installation.updated", resourceId: "r" } },
  { event: { type: "installation.updated" }, extra: 1 }
]

describe("emitted JSON Schema agrees with zod", () => {
  it("on generated valid bodies", () => {
    fc.assert(
      fc.property(Arb.updateInstallationBody, Arb.createEventBody, (update, event) => {
        expect(jsonUpdate(update)).toBe(true)
        expect(jsonEvent(event)).toBe(true)
      }),
      { numRuns: 300 }
    )
  })

  it.each(invalidUpdates.map((body) => [JSON.stringify(body), body]))("rejects update body %s", (_, body) => {
    expect(UpdateInstallationBody.safeParse(body).success).toBe(false)
    expect(jsonUpdate(body)).toBe(false)
  })

  it.each(invalidEvents.map((body) => [JSON.stringify(body), body]))("rejects event body %s", (_, body) => {
    expect(CreateEventBody.safeParse(body).success).toBe(false)
    expect(jsonEvent(body)).toBe(false)
  })

  it("on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
        expect(jsonUpdate(value)).toBe(UpdateInstallationBody.safeParse(value).success)
        expect(jsonEvent(value)).toBe(CreateEventBody.safeParse(value).success)
      }),
      { numRuns: 1000 }
    )
  })
})
