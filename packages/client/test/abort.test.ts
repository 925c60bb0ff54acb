import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { createMarketplaceClient } from "../src/index.js"
import { clientFor, ID, TOKEN } from "./support/fixtures.js"
import { startServer, testServer, wasAborted } from "./support/TestServer.js"

describe("AbortSignal (Promise facade)", () => {
  it("aborting mid-request rejects with the abort reason and cancels the HTTP request", async () => {
    const server = await startServer([{ hang: true }])
    try {
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url })
      const controller = new AbortController()
      const call = client.updateInstallation(ID, { status: "ready" }, { signal: controller.signal })
      await server.received(1)
      controller.abort()
      const error = await call.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DOMException)
      expect((error as DOMException).name).toBe("AbortError")
      expect(await wasAborted(server.requests[0])).toBe(true)
    } finally {
      await server.close()
    }
  })

  it("aborting during a wait between retries stops the retries and rejects with the given reason", async () => {
    const server = await startServer([{ status: 429, headers: { "retry-after": "30" } }])
    try {
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url })
      const controller = new AbortController()
      const call = client.createEvent(ID, { type: "installation.updated" }, { signal: controller.signal })
      await server.received(1)
      const reason = new Error("shutting down")
      controller.abort(reason)
      await expect(call).rejects.toBe(reason)
      expect(server.requests).toHaveLength(1)
    } finally {
      await server.close()
    }
  })

  it("an already-aborted signal rejects without sending anything", async () => {
    const server = await startServer([{ status: 204 }])
    try {
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url })
      await expect(client.clearNotification(ID, { signal: AbortSignal.abort("too late") })).rejects.toBe(
        "too late"
      )
      await expect(
        client.resourceUpdated(ID, "res_1", undefined, { signal: AbortSignal.abort("too late") })
      ).rejects.toBe("too late")
      expect(server.requests).toHaveLength(0)
    } finally {
      await server.close()
    }
  })

  it("a signal that never fires leaves the call alone", async () => {
    const server = await startServer([{ status: 201 }])
    try {
      const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url })
      const signal = new AbortController().signal
      await expect(client.installationUpdated(ID, "plan_1", { signal })).resolves.toBeUndefined()
    } finally {
      await server.close()
    }
  })
})

describe("interruption (Effect API)", () => {
  it.scopedLive("interrupting the fiber cancels the request in flight", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ hang: true }])
      const client = yield* clientFor(server.url)
      const fiber = yield* Effect.fork(client.updateInstallation(ID, {}))
      yield* Effect.promise(() => server.received(1))
      yield* Fiber.interrupt(fiber)
      expect(yield* Effect.promise(() => wasAborted(server.requests[0]))).toBe(true)
      expect(server.requests).toHaveLength(1)
    })
  )
})
