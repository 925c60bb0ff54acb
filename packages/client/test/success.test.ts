import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createMarketplaceClient, MarketplaceClient, planRequest } from "../src/index.js"
import { clientFor, fullUpdate, ID, TOKEN } from "./support/fixtures.js"
import { type Recorded, startServer, testServer } from "./support/TestServer.js"

const created = [{ status: 201 }] as const
const byRoute = (request: Recorded) => ({ status: request.method === "PATCH" ? 204 : 201 })

const sent = (request: Recorded | undefined) => ({
  method: request?.method,
  url: request?.url,
  body: JSON.parse(request?.body ?? "null")
})

describe("Effect API", () => {
  it.scopedLive("updateInstallation sends PATCH with the validated body and succeeds on 204", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 204 }])
      const client = yield* clientFor(server.url)
      yield* client.updateInstallation(ID, fullUpdate)
      expect(server.requests).toHaveLength(1)
      const [request] = server.requests
      expect(sent(request)).toEqual({ method: "PATCH", url: `/v1/installations/${ID}`, body: fullUpdate })
      expect(request?.headers).toMatchObject({
        authorization: `Bearer ${TOKEN}`,
        accept: "application/json",
        "content-type": "application/json",
        "user-agent": "marketplace-kit"
      })
    })
  )

  it.scopedLive("createEvent sends POST /events with { event } and succeeds on 201", () =>
    Effect.gen(function* () {
      const server = yield* testServer(created)
      const client = yield* clientFor(server.url)
      yield* client.createEvent(ID, { type: "resource.updated", resourceId: "res_1", productId: "prod_1" })
      expect(sent(server.requests[0])).toEqual({
        method: "POST",
        url: `/v1/installations/${ID}/events`,
        body: { event: { type: "resource.updated", resourceId: "res_1", productId: "prod_1" } }
      })
    })
  )

  it.scopedLive("helpers send the bodies they stand for", () =>
    Effect.gen(function* () {
      const server = yield* testServer(byRoute)
      const client = yield* clientFor(server.url)
      yield* client.setNotification(ID, "Maintenance tonight")
      yield* client.clearNotification(ID)
      yield* client.installationUpdated(ID)
      yield* client.installationUpdated(ID, "plan_2")
      yield* client.resourceUpdated(ID, "res_1")
      yield* client.resourceUpdated(ID, "res_1", "prod_1")
      expect(server.requests.map(sent)).toEqual([
        { method: "PATCH", url: `/v1/installations/${ID}`, body: { notification: "Maintenance tonight" } },
        { method: "PATCH", url: `/v1/installations/${ID}`, body: { notification: null } },
        {
          method: "POST",
          url: `/v1/installations/${ID}/events`,
          body: { event: { type: "installation.updated" } }
        },
        {
          method: "POST",
          url: `/v1/installations/${ID}/events`,
          body: { event: { type: "installation.updated", billingPlanId: "plan_2" } }
        },
        {
          method: "POST",
          url: `/v1/installations/${ID}/events`,
          body: { event: { type: "resource.updated", resourceId: "res_1" } }
        },
        {
          method: "POST",
          url: `/v1/installations/${ID}/events`,
          body: { event: { type: "resource.updated", resourceId: "res_1", productId: "prod_1" } }
        }
      ])
    })
  )

  it.scopedLive("URL-encodes the id, keeps a base path prefix and sends a custom user agent", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 204 }])
      const client = yield* clientFor(`${server.url}/proxy/`, { userAgent: "partner-app/1.0" })
      yield* client.updateInstallation("icfg a+b?c#d", { status: "ready" })
      expect(server.requests[0]?.url).toBe("/proxy/v1/installations/icfg%20a%2Bb%3Fc%23d")
      expect(server.requests[0]?.headers["user-agent"]).toBe("partner-app/1.0")
    })
  )

  it.scopedLive("sends exactly what planRequest plans, token aside", () =>
    Effect.gen(function* () {
      const server = yield* testServer(byRoute)
      const options = { baseUrl: server.url, userAgent: "planner" }
      const client = yield* clientFor(server.url, options)
      const event = { type: "installation.updated", billingPlanId: "p" } as const
      yield* client.updateInstallation(ID, fullUpdate)
      yield* client.createEvent(ID, event)
      const plans = [
        planRequest(options, "updateInstallation", ID, fullUpdate),
        planRequest(options, "createEvent", ID, event)
      ].map(Either.getOrThrow)
      plans.forEach((plan, i) => {
        const request = server.requests[i]!
        expect(`${server.url}${request.url}`).toBe(plan.url)
        expect(request.method).toBe(plan.method)
        expect(JSON.parse(request.body)).toEqual(plan.body)
        for (const [name, value] of Object.entries(plan.headers)) {
          expect(request.headers[name]).toBe(name === "authorization" ? `Bearer ${TOKEN}` : value)
        }
      })
      expect(plans[0]?.headers.authorization).toBe("Bearer <redacted>")
    })
  )

  it.scopedLive("MarketplaceClient.layerConfig reads VERCEL_TOKEN and VERCEL_API_URL", () =>
    Effect.gen(function* () {
      const server = yield* testServer(created)
      const config = ConfigProvider.fromMap(
        new Map([
          ["VERCEL_TOKEN", TOKEN],
          ["VERCEL_API_URL", server.url]
        ])
      )
      yield* Effect.flatMap(MarketplaceClient, (client) => client.installationUpdated(ID)).pipe(
        Effect.provide(
          MarketplaceClient.layerConfig().pipe(
            Layer.provide(FetchHttpClient.layer),
            Layer.provide(Layer.setConfigProvider(config))
          )
        )
      )
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
    })
  )

  it.effect("layerConfig fails with a ConfigError naming VERCEL_TOKEN when it is unset", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.provide(
          MarketplaceClient,
          MarketplaceClient.layerConfig().pipe(
            Layer.provide(FetchHttpClient.layer),
            Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))
          )
        )
      )
      expect(String(error)).toContain("VERCEL_TOKEN")
    })
  )

  it.scopedLive("MarketplaceClient.layer provides the service", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 204 }])
      const layer = MarketplaceClient.layer({ token: Redacted.make(TOKEN), baseUrl: server.url })
      yield* Effect.flatMap(MarketplaceClient, (client) => client.setNotification(ID, "hi")).pipe(
        Effect.provide(layer.pipe(Layer.provide(FetchHttpClient.layer)))
      )
      expect(sent(server.requests[0])).toEqual({
        method: "PATCH",
        url: `/v1/installations/${ID}`,
        body: { notification: "hi" }
      })
    })
  )
})

describe("Promise facade", () => {
  it("updateInstallation and createEvent resolve on 204 and 201", async () => {
    const server = await startServer(byRoute)
    try {
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url })
      await expect(client.updateInstallation(ID, fullUpdate)).resolves.toBeUndefined()
      await expect(client.createEvent(ID, { type: "installation.updated" })).resolves.toBeUndefined()
      await client.clearNotification(ID)
      await client.resourceUpdated(ID, "res_9", undefined)
      expect(server.requests.map(sent)).toEqual([
        { method: "PATCH", url: `/v1/installations/${ID}`, body: fullUpdate },
        {
          method: "POST",
          url: `/v1/installations/${ID}/events`,
          body: { event: { type: "installation.updated" } }
        },
        { method: "PATCH", url: `/v1/installations/${ID}`, body: { notification: null } },
        {
          method: "POST",
          url: `/v1/installations/${ID}/events`,
          body: { event: { type: "resource.updated", resourceId: "res_9" } }
        }
      ])
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
    } finally {
      await server.close()
    }
  })
})
