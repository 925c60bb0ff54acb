import type { MarketplaceEvent, UpdateInstallationBody } from "@marketplace-kit/core"
import { VercelCore } from "@vercel/sdk/core.js"
import { marketplaceCreateEvent } from "@vercel/sdk/funcs/marketplaceCreateEvent.js"
import { marketplaceUpdateInstallation } from "@vercel/sdk/funcs/marketplaceUpdateInstallation.js"
import type { UpdateInstallationRequestBody } from "@vercel/sdk/models/updateinstallationop.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createMarketplaceClient } from "../src/index.js"
import { fullUpdate, ID, TOKEN } from "./support/fixtures.js"
import { type Recorded, startServer, type TestServer } from "./support/TestServer.js"

// @vercel/sdk is the reference client. For the same input, our request must match what it sends:
// same method, same path (id encoding included), same JSON body once parsed. Both run against one
// capture server on 127.0.0.1, the SDK through its own `serverURL` option.

let server: TestServer
beforeAll(async () => {
  server = await startServer((request) => ({ status: request.method === "PATCH" ? 204 : 201 }))
})
afterAll(() => server.close())

const sdk = () => new VercelCore({ bearerToken: TOKEN, serverURL: server.url })
const ours = () => createMarketplaceClient({ token: TOKEN, baseUrl: server.url, retry: false })

const wire = (request: Recorded | undefined) => ({
  method: request?.method,
  path: request?.url,
  contentType: request?.headers["content-type"],
  authorization: request?.headers.authorization,
  body: JSON.parse(request?.body ?? "null")
})

/** Sends with the SDK, then with ours; returns what the server saw from each. */
const both = async (sendSdk: () => Promise<{ ok: boolean }>, sendOurs: () => Promise<void>) => {
  const before = server.requests.length
  const result = await sendSdk()
  expect(result.ok).toBe(true)
  await sendOurs()
  const [theirs, mine] = server.requests.slice(before)
  expect(server.requests).toHaveLength(before + 2)
  return { theirs: wire(theirs), mine: wire(mine) }
}

const updates: ReadonlyArray<[string, UpdateInstallationBody]> = [
  ["every field", fullUpdate],
  ["empty body", {}],
  ["string notification", { notification: "Heads up" }],
  ["status and externalId", { status: "suspended", externalId: "ext-1" }],
  ["minimal plan", { billingPlan: { id: "free", type: "prepayment", name: "Free" } }]
]

const events: ReadonlyArray<[string, MarketplaceEvent]> = [
  ["installation.updated", { type: "installation.updated" }],
  ["installation.updated with plan", { type: "installation.updated", billingPlanId: "pro" }],
  ["resource.updated", { type: "resource.updated", resourceId: "res_1" }],
  ["resource.updated with product", { type: "resource.updated", resourceId: "res_1", productId: "prod_1" }]
]

const ids = [ID, "icfg with spaces+plus&amp", "ümlaut-ид"]

describe("same request as @vercel/sdk 1.28.35", () => {
  it.each(updates)("updateInstallation: %s", async (_, body) => {
    for (const id of ids) {
      const { theirs, mine } = await both(
        // None of these bodies has the `notification: null` the SDK's type lacks.
        () =>
          marketplaceUpdateInstallation(sdk(), {
            integrationConfigurationId: id,
            requestBody: body as UpdateInstallationRequestBody
          }),
        () => ours().updateInstallation(id, body)
      )
      expect(mine).toEqual(theirs)
      expect(mine.method).toBe("PATCH")
      expect(mine.body).toEqual(body)
    }
  })

  it.each(events)("createEvent: %s", async (_, event) => {
    for (const id of ids) {
      const { theirs, mine } = await both(
        () => marketplaceCreateEvent(sdk(), { integrationConfigurationId: id, requestBody: { event } }),
        () => ours().createEvent(id, event)
      )
      expect(mine).toEqual(theirs)
      expect(mine.method).toBe("POST")
      expect(mine.body).toEqual({ event })
    }
  })

  it("extra billing plan keys: ours takes them inline, the SDK under additionalProperties; same wire body", async () => {
    const plan = { id: "pro", type: "subscription", name: "Pro" } as const
    const { theirs, mine } = await both(
      () =>
        marketplaceUpdateInstallation(sdk(), {
          integrationConfigurationId: ID,
          requestBody: { billingPlan: { ...plan, additionalProperties: { seats: "10", tier: { level: 2 } } } }
        }),
      () => ours().updateInstallation(ID, { billingPlan: { ...plan, seats: "10", tier: { level: 2 } } })
    )
    expect(mine).toEqual(theirs)
    expect(mine.body).toEqual({ billingPlan: { ...plan, seats: "10", tier: { level: 2 } } })
  })

  it("notification: null (clear) is sent by ours; the SDK refuses it before sending", async () => {
    const before = server.requests.length
    const result = await marketplaceUpdateInstallation(sdk(), {
      integrationConfigurationId: ID,
      requestBody: { notification: null as never }
    })
    expect(result.ok).toBe(false)
    expect(server.requests).toHaveLength(before)
    await ours().clearNotification(ID)
    expect(wire(server.requests[before])).toMatchObject({
      method: "PATCH",
      path: `/v1/installations/${ID}`,
      body: { notification: null }
    })
  })
})
