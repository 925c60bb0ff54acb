import { Vercel } from "@vercel/sdk"
import { VercelError } from "@vercel/sdk/models/vercelerror.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type EmulatorServer, startEmulatorServer } from "../src/index.js"
import { INVALID_TOKEN, MISSING_TOKEN } from "./support/Emulators.js"

// The official SDK is the reference client: whatever it sends, the emulator must accept,
// and its failures must reach the SDK as the statuses Vercel documents.

const A = { id: "icfg_sdk_a", token: "tok_sdk_a" }
const B = { id: "icfg_sdk_b", token: "tok_sdk_b" }

let server: EmulatorServer
beforeAll(async () => {
  server = await startEmulatorServer({ installations: [A, B] })
})
afterAll(async () => {
  await server.close()
})

const sdk = (token?: string) =>
  new Vercel({ ...(token === undefined ? {} : { bearerToken: token }), serverURL: server.url })

const statusOf = async (call: Promise<unknown>): Promise<number> => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(VercelError)
  return (error as VercelError).statusCode
}

const bodyOf = async (call: Promise<unknown>): Promise<{ status: number; body: unknown }> => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(VercelError)
  return { status: (error as VercelError).statusCode, body: JSON.parse((error as VercelError).body) }
}

describe("@vercel/sdk against the emulator", () => {
  it("updateInstallation with every field succeeds and lands in the emulator", async () => {
    await sdk(A.token).marketplace.updateInstallation({
      integrationConfigurationId: A.id,
      requestBody: {
        status: "ready",
        externalId: "acct_42",
        billingPlan: {
          id: "plan_pro",
          type: "subscription",
          name: "Pro",
          description: "For teams",
          paymentMethodRequired: true,
          cost: "$20/month",
          details: [{ label: "Seats", value: "10" }, { label: "Support" }],
          highlightedDetails: [{ label: "Storage", value: "100 GB" }],
          effectiveDate: "2026-01-01T00:00:00.000Z",
          additionalProperties: { region: "iad1" }
        },
        notification: {
          level: "info",
          title: "Plan changed",
          message: "You are now on Pro",
          href: "https://example.com/billing"
        }
      }
    })
    expect(server.emulator.state.installation(A.id)).toMatchObject({
      status: "ready",
      externalId: "acct_42",
      billingPlan: {
        id: "plan_pro",
        type: "subscription",
        name: "Pro",
        description: "For teams",
        paymentMethodRequired: true,
        cost: "$20/month",
        details: [{ label: "Seats", value: "10" }, { label: "Support" }],
        highlightedDetails: [{ label: "Storage", value: "100 GB" }],
        effectiveDate: "2026-01-01T00:00:00.000Z",
        region: "iad1"
      },
      notification: {
        level: "info",
        title: "Plan changed",
        message: "You are now on Pro",
        href: "https://example.com/billing"
      }
    })
  })

  it("updateInstallation with a string notification, and with no body at all (the docs' example)", async () => {
    const vercel = sdk(A.token)
    await vercel.marketplace.updateInstallation({
      integrationConfigurationId: A.id,
      requestBody: { notification: "Maintenance tonight" }
    })
    expect(server.emulator.state.installation(A.id)?.notification).toBe("Maintenance tonight")
    const before = server.emulator.state.sequence
    await vercel.marketplace.updateInstallation({ integrationConfigurationId: A.id })
    expect(server.emulator.state.sequence).toBe(before + 1)
    expect(server.emulator.state.installation(A.id)?.notification).toBe("Maintenance tonight")
  })

  it("clears the notification with null (sent with fetch: the SDK's schema refuses null)", async () => {
    await sdk(A.token).marketplace.updateInstallation({
      integrationConfigurationId: A.id,
      requestBody: { notification: "to be cleared" }
    })
    const res = await fetch(`${server.url}/v1/installations/${A.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${A.token}`, "content-type": "application/json" },
      body: JSON.stringify({ notification: null })
    })
    expect(res.status).toBe(204)
    expect(server.emulator.state.installation(A.id)).not.toHaveProperty("notification")
  })

  it("createEvent with both event types succeeds and is logged", async () => {
    const vercel = sdk(B.token)
    const since = server.emulator.state.sequence
    await vercel.marketplace.createEvent({
      integrationConfigurationId: B.id,
      requestBody: { event: { type: "installation.updated", billingPlanId: "plan_pro" } }
    })
    await vercel.marketplace.createEvent({
      integrationConfigurationId: B.id,
      requestBody: { event: { type: "installation.updated" } }
    })
    await vercel.marketplace.createEvent({
      integrationConfigurationId: B.id,
      requestBody: { event: { type: "resource.updated", resourceId: "store_1", productId: "postgres" } }
    })
    await vercel.marketplace.createEvent({
      integrationConfigurationId: B.id,
      requestBody: { event: { type: "resource.updated", resourceId: "store_2" } }
    })
    const logged = server.emulator.state.events({ since, operation: "createEvent" })
    expect(logged.map((entry) => (entry.operation === "createEvent" ? entry.event : undefined))).toEqual([
      { type: "installation.updated", billingPlanId: "plan_pro" },
      { type: "installation.updated" },
      { type: "resource.updated", resourceId: "store_1", productId: "postgres" },
      { type: "resource.updated", resourceId: "store_2" }
    ])
    expect(logged.every((entry) => entry.installationId === B.id)).toBe(true)
  })

  it("sees 400 for a body the SDK lets through but Vercel's rules refuse", async () => {
    const vercel = sdk(A.token)
    const before = server.emulator.state.sequence
    expect(
      await statusOf(
        vercel.marketplace.updateInstallation({
          integrationConfigurationId: A.id,
          requestBody: { externalId: "" }
        })
      )
    ).toBe(400)
    expect(
      await statusOf(
        vercel.marketplace.updateInstallation({
          integrationConfigurationId: A.id,
          requestBody: { billingPlan: { id: "p", type: "prepayment", name: "P", effectiveDate: "next week" } }
        })
      )
    ).toBe(400)
    expect(
      await statusOf(
        vercel.marketplace.createEvent({
          integrationConfigurationId: A.id,
          requestBody: { event: { type: "resource.updated", resourceId: "" } }
        })
      )
    ).toBe(400)
    expect(server.emulator.state.sequence).toBe(before)
  })

  it("sees 403 missingToken without a token, invalidToken for an unknown token, 403 with another installation's, 404 for an unknown installation", async () => {
    const event = { event: { type: "installation.updated" as const } }
    const missing = MISSING_TOKEN
    const invalid = INVALID_TOKEN
    expect(
      await bodyOf(
        sdk().marketplace.updateInstallation({ integrationConfigurationId: A.id, requestBody: {} })
      )
    ).toEqual({ status: 403, body: missing })
    expect(
      await bodyOf(sdk().marketplace.createEvent({ integrationConfigurationId: A.id, requestBody: event }))
    ).toEqual({ status: 403, body: missing })
    expect(
      await bodyOf(
        sdk("tok_unknown").marketplace.createEvent({ integrationConfigurationId: A.id, requestBody: event })
      )
    ).toEqual({ status: 403, body: invalid })
    expect(
      await bodyOf(
        sdk("tok_unknown").marketplace.updateInstallation({
          integrationConfigurationId: "icfg_ghost",
          requestBody: {}
        })
      )
    ).toEqual({ status: 403, body: invalid })
    expect(
      await bodyOf(
        sdk(B.token).marketplace.updateInstallation({ integrationConfigurationId: A.id, requestBody: {} })
      )
    ).toEqual({ status: 403, body: { error: { code: "forbidden", message: "Not authorized" } } })
    expect(
      await statusOf(
        sdk(A.token).marketplace.updateInstallation({
          integrationConfigurationId: "icfg_ghost",
          requestBody: {}
        })
      )
    ).toBe(404)
    expect(
      await statusOf(
        sdk(A.token).marketplace.createEvent({ integrationConfigurationId: "icfg_ghost", requestBody: event })
      )
    ).toBe(404)
  })

  it("an expired token gets invalidToken; a rotated one is refused and its replacement accepted", async () => {
    const expiring = await startEmulatorServer({
      installations: [
        { id: "icfg_sdk_old", token: "tok_sdk_expired", expiresAt: "2020-01-01T00:00:00Z" },
        { id: "icfg_sdk_rot", token: "tok_sdk_rot" }
      ],
      adminToken: "sdk_admin"
    })
    try {
      const client = (token: string) => new Vercel({ bearerToken: token, serverURL: expiring.url })
      const invalid = INVALID_TOKEN
      expect(
        await bodyOf(
          client("tok_sdk_expired").marketplace.updateInstallation({
            integrationConfigurationId: "icfg_sdk_old",
            requestBody: {}
          })
        )
      ).toEqual({ status: 403, body: invalid })
      const rotated = await fetch(`${expiring.url}/_emulator/installations/icfg_sdk_rot/token`, {
        method: "POST",
        headers: { Authorization: "Bearer sdk_admin" }
      })
      expect(rotated.status).toBe(201)
      const { token, expiresAt } = (await rotated.json()) as { token: string; expiresAt: string | null }
      expect(expiresAt).toBeNull()
      expect(
        await bodyOf(
          client("tok_sdk_rot").marketplace.updateInstallation({
            integrationConfigurationId: "icfg_sdk_rot",
            requestBody: {}
          })
        )
      ).toEqual({ status: 403, body: invalid })
      await client(token).marketplace.updateInstallation({
        integrationConfigurationId: "icfg_sdk_rot",
        requestBody: { status: "ready" }
      })
      expect(expiring.emulator.state.installation("icfg_sdk_rot")?.status).toBe("ready")
    } finally {
      await expiring.close()
    }
  })

  it("the SDK's error carries the emulator's Vercel-shaped body", async () => {
    const error = await sdk(B.token)
      .marketplace.updateInstallation({ integrationConfigurationId: A.id, requestBody: {} })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(VercelError)
    expect(JSON.parse((error as VercelError).body)).toEqual({
      error: { code: "forbidden", message: "Not authorized" }
    })
  })
})
