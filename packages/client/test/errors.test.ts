import { describe, expect, it } from "@effect/vitest"
import { vercelError } from "@marketplace-kit/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import {
  BadRequest,
  ClientError,
  createMarketplaceClient,
  Forbidden,
  isMarketplaceError,
  NotFound,
  RateLimited,
  ServerError,
  Unauthorized
} from "../src/index.js"
import { clientFor, ID, TOKEN } from "./support/fixtures.js"
import { startServer, testServer } from "./support/TestServer.js"

const table = [
  { status: 400, errorClass: BadRequest, tag: "BadRequest", code: "bad_request" },
  { status: 401, errorClass: Unauthorized, tag: "Unauthorized", code: "forbidden" },
  { status: 403, errorClass: Forbidden, tag: "Forbidden", code: "forbidden" },
  { status: 404, errorClass: NotFound, tag: "NotFound", code: "not_found" },
  { status: 408, errorClass: ClientError, tag: "ClientError", code: "request_timeout" },
  { status: 409, errorClass: ClientError, tag: "ClientError", code: "conflict" },
  { status: 422, errorClass: ClientError, tag: "ClientError", code: "unprocessable" },
  { status: 429, errorClass: RateLimited, tag: "RateLimited", code: "rate_limited" },
  { status: 500, errorClass: ServerError, tag: "ServerError", code: "internal_server_error" },
  { status: 501, errorClass: ServerError, tag: "ServerError", code: "not_implemented" },
  { status: 502, errorClass: ServerError, tag: "ServerError", code: "bad_gateway" },
  { status: 503, errorClass: ServerError, tag: "ServerError", code: "service_unavailable" },
  { status: 504, errorClass: ServerError, tag: "ServerError", code: "gateway_timeout" }
] as const

const reply = (status: number, code: string) => ({
  status,
  headers: { "x-vercel-id": `iad1::req-${status}` },
  body: vercelError(code, `Status ${status} happened`, { hint: "extra keys survive" })
})

describe("Effect API: each status fails with its own class", () => {
  it.scopedLive.each(table)("$status → $tag", ({ status, errorClass, code }) =>
    Effect.gen(function* () {
      const server = yield* testServer([reply(status, code)])
      const client = yield* clientFor(server.url, { retry: false })
      const error = yield* Effect.flip(client.updateInstallation(ID, { status: "ready" }))
      expect(error).toBeInstanceOf(errorClass)
      expect(error._tag).toBe(errorClass.name)
      expect(isMarketplaceError(error)).toBe(true)
      expect(error).toMatchObject({
        method: "PATCH",
        path: `/v1/installations/${ID}`,
        status,
        attempts: 1,
        code,
        requestId: `iad1::req-${status}`,
        body: { code, message: `Status ${status} happened`, hint: "extra keys survive" }
      })
      expect(error.message).toBe(
        `PATCH /v1/installations/${ID} → ${status} ${code}: Status ${status} happened (request id iad1::req-${status}, 1 attempt)`
      )
    })
  )

  it.scopedLive("Effect.catchTag picks out one class and leaves the rest typed", () =>
    Effect.gen(function* () {
      const server = yield* testServer([reply(404, "not_found")])
      const client = yield* clientFor(server.url)
      const outcome = yield* client
        .createEvent(ID, { type: "installation.updated" })
        .pipe(Effect.catchTag("NotFound", (error) => Effect.succeed(`missing ${error.requestId}`)))
      expect(outcome).toBe("missing iad1::req-404")
    })
  )

  it.scopedLive(
    "a non-Vercel body (proxy HTML) leaves body and code unset but keeps status and request id",
    () =>
      Effect.gen(function* () {
        const server = yield* testServer([
          {
            status: 502,
            headers: { "x-vercel-id": "cdg1::x", "content-type": "text/html" },
            body: "<h1>Bad</h1>"
          }
        ])
        const client = yield* clientFor(server.url, { retry: false })
        const error = yield* Effect.flip(client.updateInstallation(ID, {}))
        expect(error).toBeInstanceOf(ServerError)
        expect(error.body).toBeUndefined()
        expect(error.code).toBeUndefined()
        expect(error).toMatchObject({ status: 502, requestId: "cdg1::x" })
        expect(error.message).toBe(`PATCH /v1/installations/${ID} → 502 (request id cdg1::x, 1 attempt)`)
      })
  )

  it.scopedLive("a 429 carries the Retry-After it was given", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ ...reply(429, "rate_limited"), headers: { "retry-after": "7" } }])
      const client = yield* clientFor(server.url, { retry: false })
      const error = yield* Effect.flip(client.updateInstallation(ID, {}))
      expect(error).toBeInstanceOf(RateLimited)
      expect(error._tag === "RateLimited" && error.retryAfter && Duration.toMillis(error.retryAfter)).toBe(
        7000
      )
      expect(error.message).toContain("retry after 7s")
    })
  )
})

describe("Promise facade: rejects with the same classes", () => {
  it.each(table)("$status → $tag", async ({ status, errorClass, code }) => {
    const server = await startServer([reply(status, code)])
    try {
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url, retry: false })
      const error = await client.createEvent(ID, { type: "installation.updated" }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(errorClass)
      expect(error).toBeInstanceOf(Error)
      expect(error).toMatchObject({
        _tag: errorClass.name,
        method: "POST",
        path: `/v1/installations/${ID}/events`,
        status,
        code,
        requestId: `iad1::req-${status}`,
        attempts: 1
      })
    } finally {
      await server.close()
    }
  })
})
