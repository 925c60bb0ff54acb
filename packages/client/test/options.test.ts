import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type ClientOptions, createMarketplaceClient, ValidationError } from "../src/index.js"
import { clientFor, ID, TOKEN } from "./support/fixtures.js"
import { testServer } from "./support/TestServer.js"

// Each bad option, the issue path it must be reported under, and text the message must not contain.
const cases: ReadonlyArray<{ name: string; options: Partial<ClientOptions>; path: string; secret?: string }> =
  [
    { name: "timeout 0", options: { timeout: 0 }, path: "timeout" },
    { name: "negative timeout", options: { timeout: -5 }, path: "timeout" },
    { name: "NaN timeout", options: { timeout: Number.NaN }, path: "timeout" },
    { name: "infinite timeout", options: { timeout: Number.POSITIVE_INFINITY }, path: "timeout" },
    { name: "unreadable timeout", options: { timeout: "soon" as never }, path: "timeout" },
    { name: "maxAttempts 0", options: { retry: { maxAttempts: 0 } }, path: "retry.maxAttempts" },
    { name: "fractional maxAttempts", options: { retry: { maxAttempts: 2.5 } }, path: "retry.maxAttempts" },
    { name: "NaN maxAttempts", options: { retry: { maxAttempts: Number.NaN } }, path: "retry.maxAttempts" },
    { name: "negative maxElapsed", options: { retry: { maxElapsed: -1 } }, path: "retry.maxElapsed" },
    {
      name: "infinite maxElapsed",
      options: { retry: { maxElapsed: Number.POSITIVE_INFINITY } },
      path: "retry.maxElapsed"
    },
    { name: "NaN baseDelay", options: { retry: { baseDelay: Number.NaN } }, path: "retry.baseDelay" },
    {
      name: "infinite maxDelay",
      options: { retry: { maxDelay: "Infinity" as never } },
      path: "retry.maxDelay"
    },
    { name: "whitespace-only token", options: { token: Redacted.make(" \t ") }, path: "token" },
    {
      name: "baseUrl with credentials",
      options: { baseUrl: "https://partner:hunter2secret@api.vercel.com" },
      path: "baseUrl",
      secret: "hunter2secret"
    },
    {
      name: "baseUrl with a query",
      options: { baseUrl: "https://api.vercel.com/?teamId=t1" },
      path: "baseUrl"
    },
    { name: "baseUrl with a fragment", options: { baseUrl: "https://api.vercel.com/#x" }, path: "baseUrl" },
    { name: "non-http(s) baseUrl", options: { baseUrl: "ftp://api.vercel.com" }, path: "baseUrl" },
    { name: "relative baseUrl", options: { baseUrl: "api.vercel.com" }, path: "baseUrl" }
  ]

describe("options are checked before anything is sent", () => {
  it.scopedLive.each(cases)(
    "$name → ValidationError at $path, attempts 0, nothing on the wire",
    ({ options, path, secret }) =>
      Effect.gen(function* () {
        const server = yield* testServer([{ status: 204 }])
        const client = yield* clientFor(server.url, options)
        const error = yield* Effect.flip(client.updateInstallation(ID, { status: "ready" }))
        expect(error).toBeInstanceOf(ValidationError)
        expect(error.attempts).toBe(0)
        expect(error._tag === "ValidationError" && error.issues.map((issue) => issue.path)).toEqual([path])
        if (secret !== undefined) expect(JSON.stringify(error)).not.toContain(secret)
        expect(server.requests).toHaveLength(0)
      })
  )

  it.scopedLive("good values pass: retry durations of 0, a path prefix in baseUrl", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 204 }])
      const client = yield* clientFor(`${server.url}/proxy/`, {
        retry: { baseDelay: 0, maxDelay: 0 },
        timeout: 500
      })
      yield* client.updateInstallation(ID, { status: "ready" })
      expect(server.requests.map((request) => request.url)).toEqual([`/proxy/v1/installations/${ID}`])
    })
  )

  it.scopedLive("Promise facade: timeoutMs 0 sends nothing (it used to send four copies)", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ status: 204 }])
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url, timeoutMs: 0 })
      const error = yield* Effect.promise(() => client.clearNotification(ID).catch((e: unknown) => e))
      expect(error).toBeInstanceOf(ValidationError)
      expect(error).toMatchObject({ attempts: 0, issues: [{ path: "timeout" }] })
      expect(server.requests).toHaveLength(0)
    })
  )
})
