import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { ClientError, createMarketplaceClient } from "../src/index.js"
import { clientFor, ID, TOKEN } from "./support/fixtures.js"
import { startServer, testServer } from "./support/TestServer.js"

const redirects = [301, 302, 303, 307, 308] as const

// Following a redirect would re-send the call to the Location (a 303 as a body-less GET) and report
// a success for a write that never happened; the target server must see nothing.
describe("redirects are never followed", () => {
  it.scopedLive.each(redirects)("%i fails as a ClientError after 1 attempt (Effect API on fetch)", (code) =>
    Effect.gen(function* () {
      const target = yield* testServer([{ status: 204 }])
      const server = yield* testServer([{ status: code, headers: { location: `${target.url}/elsewhere` } }])
      const client = yield* clientFor(server.url)
      const error = yield* Effect.flip(client.updateInstallation(ID, { status: "ready" }))
      expect(error).toBeInstanceOf(ClientError)
      expect(error).toMatchObject({ status: code, attempts: 1 })
      expect(error.message).toContain("redirects are not followed")
      expect(server.requests).toHaveLength(1)
      expect(target.requests).toHaveLength(0)
    })
  )

  it("the Promise facade rejects every redirect the same way", async () => {
    const target = await startServer([{ status: 204 }])
    const server = await startServer((_, index) => ({
      status: redirects[index % redirects.length],
      headers: { location: `${target.url}/elsewhere` }
    }))
    try {
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url })
      for (const code of redirects) {
        const error = await client.createEvent(ID, { type: "installation.updated" }).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ClientError)
        expect(error).toMatchObject({ status: code, attempts: 1 })
      }
      expect(server.requests).toHaveLength(redirects.length)
      expect(target.requests).toHaveLength(0)
    } finally {
      await Promise.all([server.close(), target.close()])
    }
  })
})
