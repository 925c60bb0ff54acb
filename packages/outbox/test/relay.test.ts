import { once } from "node:events"
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { createOutboxBackend, type EmulatorServer, marketplaceRouter } from "@marketplace-kit/express"
import express from "express"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { openOutbox, type PromiseOutbox } from "../src/index.js"
import { freshDatabase } from "./support/database.js"
import { installationIds, logByInstallation, startEmulator, TOKEN, tempDir } from "./support/fixtures.js"

const [A, B] = installationIds(2) as [string, string]

let emulator: EmulatorServer
let dir: ReturnType<typeof tempDir>
let app: Server | undefined
let outbox: PromiseOutbox | undefined

beforeEach(async () => {
  emulator = await startEmulator(2)
  dir = tempDir()
})

afterEach(async () => {
  app?.close()
  app = undefined
  await outbox?.close()
  outbox = undefined
  await emulator.close()
  dir.remove()
})

/** The partner's app: the marketplace router on an outbox backend, served on 127.0.0.1. */
const serve = async (store: PromiseOutbox) => {
  const server = express()
    .use("/vercel", marketplaceRouter({ backend: createOutboxBackend(store) }))
    .listen(0, "127.0.0.1")
  await once(server, "listening")
  app = server
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/vercel`
}

const call = (url: string, method: "PATCH" | "POST", body: unknown) =>
  fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

const relayTest = (name: string, store: () => Promise<string>) =>
  it(`${name}: 202 with the op id once stored, delivered later in order; a bad body is 400 and stores nothing`, async () => {
    outbox = await openOutbox({ store: await store(), token: TOKEN, baseUrl: emulator.url })
    const url = await serve(outbox)

    const patch = await call(`${url}/v1/installations/${A}`, "PATCH", { status: "ready", externalId: "e-1" })
    expect(patch.status).toBe(202)
    const { id } = (await patch.json()) as { id: string }
    expect(id).toMatch(/^\d+$/)
    const event = await call(`${url}/v1/installations/${A}/events`, "POST", {
      event: { type: "installation.updated", billingPlanId: "pro" }
    })
    expect(event.status).toBe(202)
    expect(Number(((await event.json()) as { id: string }).id)).toBeGreaterThan(Number(id))

    const bad = await call(`${url}/v1/installations/${B}`, "PATCH", { status: "bogus" })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("bad_request")

    // Stored, and nothing sent yet: the 202 came from the store, not from Vercel.
    expect(await outbox.stats()).toMatchObject({ pending: 2, delivered: 0 })
    expect(emulator.emulator.state.sequence).toBe(0)

    outbox.start({ concurrency: 2 })
    expect(await outbox.drain()).toMatchObject({ pending: 0, delivered: 2, failed: 0 })
    expect(logByInstallation(emulator).get(A)).toEqual([
      { status: "ready", externalId: "e-1" },
      { type: "installation.updated", billingPlanId: "pro" }
    ])
    expect(logByInstallation(emulator).has(B)).toBe(false)
  })

describe("createOutboxBackend behind marketplaceRouter", () => {
  relayTest("SQLite", async () => `sqlite:${dir.dir}/relay.db`)
  relayTest("PostgreSQL", freshDatabase)

  it("answers 503 (never 202) when the write cannot be stored", async () => {
    const closed = await openOutbox({
      store: `sqlite:${dir.dir}/closed.db`,
      token: TOKEN,
      baseUrl: emulator.url
    })
    const url = await serve(closed)
    await closed.close()
    const response = await call(`${url}/v1/installations/${A}`, "PATCH", { externalId: "lost?" })
    expect(response.status).toBe(503)
    expect(response.headers.get("retry-after")).toBe("1")
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("service_unavailable")
  })
})
