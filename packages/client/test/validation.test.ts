import { describe, expect, it } from "@effect/vitest"
import { CreateEventBody, UpdateInstallationBody, validate } from "@marketplace-kit/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import {
  type UpdateInstallationBody as Body,
  createMarketplaceClient,
  type MarketplaceEvent,
  planRequest,
  ValidationError
} from "../src/index.js"
import { clientFor, ID, TOKEN } from "./support/fixtures.js"
import { startServer, testServer } from "./support/TestServer.js"

// Inputs a typed caller could not write, as untyped JavaScript or parsed JSON would pass them.
const asBody = (input: unknown) => input as Body
const asEvent = (input: unknown) => input as MarketplaceEvent

const coreMessage = (schema: typeof UpdateInstallationBody | typeof CreateEventBody, input: unknown) => {
  const result = validate(schema, input)
  return result.success ? "" : result.message
}

describe("validation before any I/O", () => {
  it.scopedLive("a bad update body fails with core's issues and one-line message, and nothing is sent", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 204 }])
      const client = yield* clientFor(server.url)
      const body = { billingPlan: { id: "pro", type: "monthly", name: "Pro" }, extra: true }
      const error = yield* Effect.flip(client.updateInstallation(ID, asBody(body)))
      expect(error).toBeInstanceOf(ValidationError)
      expect(error).toMatchObject({ method: "PATCH", path: `/v1/installations/${ID}`, attempts: 0 })
      expect(error._tag === "ValidationError" && error.issues).toEqual([
        { path: "billingPlan.type", message: 'expected "prepayment" | "subscription", received "monthly"' },
        { path: "extra", message: "unknown field" }
      ])
      expect(error.message).toBe(coreMessage(UpdateInstallationBody, body))
      expect(server.requests).toHaveLength(0)
    })
  )

  it.scopedLive("a bad event is reported at its path inside the body, event.*", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 201 }])
      const client = yield* clientFor(server.url)
      const event = { type: "resource.updated", resourceId: "" }
      const error = yield* Effect.flip(client.createEvent(ID, asEvent(event)))
      expect(error._tag === "ValidationError" && error.issues).toEqual([
        { path: "event.resourceId", message: "must not be empty" }
      ])
      expect(error.message).toBe(coreMessage(CreateEventBody, { event }))
      const unknownType = yield* Effect.flip(
        client.createEvent(ID, asEvent({ type: "installation.deleted" }))
      )
      expect(unknownType.message).toBe(
        'event.type: expected "installation.updated" | "resource.updated", received "installation.deleted"'
      )
      expect(server.requests).toHaveLength(0)
    })
  )

  it.scopedLive("bad ids are refused along with body issues, all in one error", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 204 }])
      const client = yield* clientFor(server.url)
      const empty = yield* Effect.flip(client.updateInstallation("", asBody({ status: "gone" })))
      expect(empty._tag === "ValidationError" && empty.issues.map((issue) => issue.path)).toEqual([
        "integrationConfigurationId",
        "status"
      ])
      expect(empty.message).toMatch(/^integrationConfigurationId: must not be empty; status: expected/)
      const traversal = yield* Effect.flip(client.updateInstallation("../teams", {}))
      expect(traversal.message).toBe('integrationConfigurationId: must not contain "/"')
      const dots = yield* Effect.flip(client.installationUpdated(".."))
      expect(dots.message).toBe('integrationConfigurationId: must not be "." or ".."')
      expect(server.requests).toHaveLength(0)
    })
  )

  it.effect("a base URL that is not absolute http(s) is refused", () =>
    Effect.gen(function* () {
      for (const baseUrl of ["api.vercel.com", "ftp://api.vercel.com", ""]) {
        const client = yield* clientFor(baseUrl)
        const error = yield* Effect.flip(client.clearNotification(ID))
        expect(error._tag === "ValidationError" && error.issues[0]?.path).toBe("baseUrl")
      }
    })
  )

  it.effect("an empty token or one fetch would refuse as a header is refused without quoting it", () =>
    Effect.gen(function* () {
      const empty = yield* Effect.flip(
        (yield* clientFor("http://127.0.0.1:9", { token: Redacted.make("") })).clearNotification(ID)
      )
      expect(empty.message).toBe("token: must not be empty")
      const secret = "vck_line\r\nX-Injected: 1"
      const broken = yield* Effect.flip(
        (yield* clientFor("http://127.0.0.1:9", { token: Redacted.make(secret) })).clearNotification(ID)
      )
      expect(broken).toBeInstanceOf(ValidationError)
      expect(broken.message).toBe("token: contains characters not allowed in an HTTP header")
      expect(JSON.stringify(broken)).not.toContain("vck_line")
    })
  )

  it.effect("a body JSON cannot carry (a BigInt in a billing plan's extra key) is a ValidationError", () =>
    Effect.gen(function* () {
      const client = yield* clientFor("http://127.0.0.1:9")
      const error = yield* Effect.flip(
        client.updateInstallation(ID, { billingPlan: { id: "p", type: "prepayment", name: "P", seats: 10n } })
      )
      expect(error).toBeInstanceOf(ValidationError)
      expect(error.message).toBe("body: is not serializable as JSON")
    })
  )

  it("the Promise facade rejects with the same ValidationError and sends nothing", async () => {
    const server = await startServer([{ status: 204 }])
    try {
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url })
      const error = await client.setNotification(ID, { level: "loud", title: "x" } as never).catch((e) => e)
      expect(error).toBeInstanceOf(ValidationError)
      expect(error._tag).toBe("ValidationError")
      expect(error.message).toBe('notification.level: expected "info" | "warn" | "error", received "loud"')
      expect(server.requests).toHaveLength(0)
    } finally {
      await server.close()
    }
  })
})

describe("planRequest", () => {
  it("plans the exact request with the token shown as <redacted>", () => {
    const plan = Either.getOrThrow(
      planRequest({ baseUrl: "https://example.test/base" }, "createEvent", "icfg 1", {
        type: "installation.updated",
        billingPlanId: "pro"
      })
    )
    expect(plan).toEqual({
      operation: "createEvent",
      method: "POST",
      url: "https://example.test/base/v1/installations/icfg%201/events",
      path: "/v1/installations/icfg%201/events",
      headers: {
        accept: "application/json",
        authorization: "Bearer <redacted>",
        "content-type": "application/json",
        "user-agent": "marketplace-kit"
      },
      body: { event: { type: "installation.updated", billingPlanId: "pro" } }
    })
  })

  it("defaults to https://api.vercel.com and keeps null notifications", () => {
    const plan = Either.getOrThrow(planRequest({}, "updateInstallation", ID, { notification: null }))
    expect(plan.url).toBe(`https://api.vercel.com/v1/installations/${ID}`)
    expect(plan.method).toBe("PATCH")
    expect(plan.body).toEqual({ notification: null })
  })

  it("returns the ValidationError the client would fail with", () => {
    const result = planRequest({}, "updateInstallation", ID, { status: "deleted" })
    expect(Either.isLeft(result)).toBe(true)
    const error = Either.getLeft(result)
    expect(error._tag === "Some" && error.value).toBeInstanceOf(ValidationError)
    expect(error._tag === "Some" && error.value.message).toBe(
      'status: expected "ready" | "pending" | "onboarding" | "suspended" | "resumed" | "uninstalled" | "error", received "deleted"'
    )
  })
})
