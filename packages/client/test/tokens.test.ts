import { describe, expect, it } from "@effect/vitest"
import { vercelError } from "@marketplace-kit/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createMarketplaceClient, Forbidden, TokenError, Unauthorized } from "../src/index.js"
import { clientFor } from "./support/fixtures.js"
import { type Recorded, startServer, testServer } from "./support/TestServer.js"

const A = "icfg_aaaaaaaa"
const B = "icfg_bbbbbbbb"
const bearer = (request: Recorded | undefined) => request?.headers.authorization

// A server that takes `tok_<installation>_<generation>` for each installation's current generation.
const vercelLike = (current: Map<string, number>) => (request: Recorded) => {
  const id = request.url.split("/")[3] ?? ""
  const expected = `Bearer tok_${id}_${current.get(id) ?? 1}`
  if (request.headers.authorization === expected)
    return { status: request.url.endsWith("/events") ? 201 : 204 }
  return { status: 403, body: vercelError("forbidden", "Invalid token", { invalidToken: true }) }
}

// A token source recording its lookups, answering `tok_<id>_<n>` on the n-th lookup of an installation.
const countingSource = (delayMs = 0) => {
  const lookups: Array<string> = []
  const source = (id: string) =>
    Effect.promise(async () => {
      lookups.push(id)
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      return Redacted.make(`tok_${id}_${lookups.filter((looked) => looked === id).length}`)
    })
  return { lookups, source }
}

describe("token sources (Effect API)", () => {
  it.scopedLive("asks once per installation and sends each installation its own token", () =>
    Effect.gen(function* () {
      const server = yield* testServer(vercelLike(new Map()))
      const { lookups, source } = countingSource()
      const client = yield* clientFor(server.url, { token: source })
      for (const id of [A, B, A, B, A]) yield* client.installationUpdated(id)
      expect(lookups).toEqual([A, B])
      expect(server.requests.map(bearer)).toEqual([A, B, A, B, A].map((id) => `Bearer tok_${id}_1`))
    })
  )

  it.scopedLive("concurrent first calls for one installation share one lookup", () =>
    Effect.gen(function* () {
      const server = yield* testServer(vercelLike(new Map()))
      const { lookups, source } = countingSource(50)
      const client = yield* clientFor(server.url, { token: source })
      yield* Effect.all(
        Array.from({ length: 8 }, () => client.installationUpdated(A)),
        { concurrency: "unbounded" }
      )
      expect(lookups).toEqual([A])
      expect(server.requests).toHaveLength(8)
    })
  )

  it.scopedLive("a 403 with invalidToken: drops the token, asks again and repeats the request once", () =>
    Effect.gen(function* () {
      const current = new Map([[A, 2]])
      const server = yield* testServer(vercelLike(current))
      const { lookups, source } = countingSource()
      const client = yield* clientFor(server.url, { token: source })
      yield* client.installationUpdated(A)
      expect(lookups).toEqual([A, A])
      expect(server.requests.map(bearer)).toEqual([`Bearer tok_${A}_1`, `Bearer tok_${A}_2`])
      // The fresh token is kept: the next call sends it without asking.
      yield* client.installationUpdated(A)
      expect(lookups).toEqual([A, A])
      expect(bearer(server.requests[2])).toBe(`Bearer tok_${A}_2`)
    })
  )

  it.scopedLive("a 401 refreshes too; a second refusal is the call's error (one refresh per call)", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 401, body: vercelError("unauthorized", "expired") }])
      const { lookups, source } = countingSource()
      const client = yield* clientFor(server.url, { token: source })
      const error = yield* Effect.flip(client.installationUpdated(A))
      expect(error).toBeInstanceOf(Unauthorized)
      expect(error.attempts).toBe(2)
      expect(lookups).toEqual([A, A])
      expect(server.requests.map(bearer)).toEqual([`Bearer tok_${A}_1`, `Bearer tok_${A}_2`])
    })
  )

  it.scopedLive("a plain 403 (no invalidToken) is not a token problem: no refresh, one request", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 403, body: vercelError("forbidden", "Not allowed") }])
      const { lookups, source } = countingSource()
      const client = yield* clientFor(server.url, { token: source })
      const error = yield* Effect.flip(client.installationUpdated(A))
      expect(error).toBeInstanceOf(Forbidden)
      expect(lookups).toEqual([A])
      expect(server.requests).toHaveLength(1)
    })
  )

  it.scopedLive("a static token is never refreshed: a 401 is the error at once", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 401 }])
      const client = yield* clientFor(server.url)
      expect((yield* Effect.flip(client.installationUpdated(A)))._tag).toBe("Unauthorized")
      expect(server.requests).toHaveLength(1)
    })
  )

  it.scopedLive(
    "a failing source fails the call with a TokenError naming the installation; the next call asks again",
    () =>
      Effect.gen(function* () {
        const server = yield* testServer([{ status: 204 }])
        let calls = 0
        const client = yield* clientFor(server.url, {
          token: (id) =>
            ++calls === 1
              ? Effect.fail(new Error("vault unreachable"))
              : Effect.succeed(Redacted.make(`tok_${id}_fresh`))
        })
        const error = yield* Effect.flip(client.installationUpdated(A))
        expect(error).toBeInstanceOf(TokenError)
        expect(error).toMatchObject({ installationId: A, attempts: 0 })
        expect(error.message).toContain(A)
        expect(server.requests).toHaveLength(0)
        yield* client.installationUpdated(A)
        expect(bearer(server.requests[0])).toBe(`Bearer tok_${A}_fresh`)
      })
  )

  it.scopedLive("a blank token from the source is refused without sending, and without quoting it", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 204 }])
      const client = yield* clientFor(server.url, { token: () => Effect.succeed(Redacted.make("   \t ")) })
      const error = yield* Effect.flip(client.installationUpdated(A))
      expect(error).toBeInstanceOf(TokenError)
      expect(error.message).toContain("must not be blank")
      expect(server.requests).toHaveLength(0)
    })
  )
})

describe("token sources (Promise facade)", () => {
  it("takes a function returning a string or a Promise; a throwing one rejects with TokenError", async () => {
    const server = await startServer(vercelLike(new Map()))
    try {
      const asked: Array<string> = []
      const client = createMarketplaceClient({
        baseUrl: server.url,
        token: async (id) => {
          asked.push(id)
          return `tok_${id}_1`
        }
      })
      await Promise.all([
        client.installationUpdated(A),
        client.installationUpdated(A),
        client.installationUpdated(B)
      ])
      expect(asked.sort()).toEqual([A, B])
      const throwing = createMarketplaceClient({
        baseUrl: server.url,
        token: () => {
          throw new Error("no credentials stored")
        }
      })
      const error = await throwing.installationUpdated(A).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TokenError)
      expect((error as TokenError).installationId).toBe(A)
      expect(server.requests).toHaveLength(3)
    } finally {
      await server.close()
    }
  })

  it("without token and baseUrl reads VERCEL_TOKEN and VERCEL_API_URL", async () => {
    const server = await startServer([{ status: 204 }])
    const saved = { token: process.env.VERCEL_TOKEN, url: process.env.VERCEL_API_URL }
    process.env.VERCEL_TOKEN = "vck_from-the-environment"
    process.env.VERCEL_API_URL = server.url
    try {
      await createMarketplaceClient().clearNotification(A)
      expect(bearer(server.requests[0])).toBe("Bearer vck_from-the-environment")
    } finally {
      for (const [name, value] of [
        ["VERCEL_TOKEN", saved.token],
        ["VERCEL_API_URL", saved.url]
      ] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
      await server.close()
    }
  })
})
