import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  type ClientOptions,
  MarketplaceClient,
  type MarketplaceClientService,
  ServerError
} from "../src/index.js"
import { clientFor, fastRetry, ID, onFetchTransport, TOKEN } from "./support/fixtures.js"
import { testServer, wasAborted } from "./support/TestServer.js"

const MB = 1024 * 1024

// The peak resident-set growth while `effect` runs, sampled every few milliseconds.
const peakRssGrowth = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    globalThis.gc?.()
    const before = process.memoryUsage.rss()
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss())
    }, 2)
    const result = yield* Effect.ensuring(
      effect,
      Effect.sync(() => clearInterval(sampler))
    )
    return { result, growth: Math.max(peak, process.memoryUsage.rss()) - before }
  })

// Bodies are read one way from fetch's web streams (both transports) and another from any other
// HttpClient's responses (through `response.stream`): node:http's client stands for the others.
const onNodeHttp = (baseUrl: string, options: Partial<ClientOptions> = {}) =>
  MarketplaceClient.make({ token: Redacted.make(TOKEN), baseUrl, retry: fastRetry, ...options }).pipe(
    Effect.provide(NodeHttpClient.layer)
  )
const clients: Record<
  string,
  (baseUrl: string, options?: Partial<ClientOptions>) => Effect.Effect<MarketplaceClientService>
> = onFetchTransport
  ? { fetch: clientFor }
  : { "@effect/platform's FetchHttpClient": clientFor, "@effect/platform-node's NodeHttpClient": onNodeHttp }

describe.each(Object.entries(clients))("bodies are bounded, on %s", (_name, clientFor) => {
  it.scopedLive("a 50 MB error body is read up to 64 KiB: RSS grows by less than 64 MB", () =>
    Effect.gen(function* () {
      const server = yield* testServer([
        { status: 500, headers: { "content-type": "application/json" }, bodyBytes: 50 * MB }
      ])
      const client = yield* clientFor(server.url, { retry: false })
      const { result: error, growth } = yield* peakRssGrowth(
        Effect.flip(client.updateInstallation(ID, { status: "ready" }))
      )
      expect(error).toBeInstanceOf(ServerError)
      expect(error).toMatchObject({ status: 500, attempts: 1 })
      expect(growth, `RSS grew by ${(growth / MB).toFixed(1)} MB`).toBeLessThan(64 * MB)
    })
  )

  it.scopedLive(
    "a 50 MB success body is read up to 64 KiB, then the connection closed: the call succeeds, RSS stays bounded",
    () =>
      Effect.gen(function* () {
        const server = yield* testServer([{ status: 200, bodyBytes: 50 * MB }])
        const client = yield* clientFor(server.url, { retry: false })
        const { growth } = yield* peakRssGrowth(client.updateInstallation(ID, { status: "ready" }))
        expect(growth, `RSS grew by ${(growth / MB).toFixed(1)} MB`).toBeLessThan(64 * MB)
        expect(server.requests).toHaveLength(1)
        // The rest was never read: the server could not finish sending it.
        expect(yield* Effect.promise(() => wasAborted(server.requests[0]))).toBe(true)
      })
  )

  it.scopedLive(
    "a chunked success body within the cap is read to its end, so the connection can be reused",
    () =>
      Effect.gen(function* () {
        const server = yield* testServer([{ status: 201, bodyBytes: 40 * 1024 }])
        const client = yield* clientFor(server.url, { retry: false })
        yield* client.createEvent(ID, { type: "installation.updated" })
        expect(server.requests).toHaveLength(1)
        expect(yield* Effect.promise(() => wasAborted(server.requests[0]))).toBe(false)
      })
  )

  it.scopedLive("an error body within the cap is still read whole", () =>
    Effect.gen(function* () {
      const server = yield* testServer([
        { status: 400, body: { error: { code: "bad_request", message: "m".repeat(40_000) } } }
      ])
      const client = yield* clientFor(server.url)
      const error = yield* Effect.flip(client.updateInstallation(ID, {}))
      expect(error.body?.message).toHaveLength(40_000)
    })
  )
})
