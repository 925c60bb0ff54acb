import { gzipSync } from "node:zlib"
import { createMarketplaceClient } from "@marketplace-kit/client"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type EmulatorServer, startEmulatorServer } from "../src/EmulatorServer.js"

const ADMIN = "mkit_admin_stream_test"
const ID = "icfg_stream_0001"
const TOKEN = "stream_token_0001"

let server: EmulatorServer

beforeEach(async () => {
  server = await startEmulatorServer({ adminToken: ADMIN, installations: [{ id: ID, token: TOKEN }] })
})

afterEach(async () => {
  await server.close()
})

// Reads Server-Sent Events until `count` messages have arrived.
const messages = async (response: Response, count: number) => {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ""
  const parsed = () =>
    text
      .split("\n\n")
      .slice(0, -1)
      .flatMap((block) => {
        const event = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        return event === undefined || data === undefined ? [] : [{ event, data: JSON.parse(data) as unknown }]
      })
  while (parsed().length < count) {
    const { value, done } = await reader.read()
    if (done) break
    text += value
  }
  await reader.cancel()
  return parsed()
}

describe("the dashboard's server side", () => {
  it("serves the page and its assets without a token, under a strict CSP, within the size budget", async () => {
    const page = await fetch(`${server.url}/_emulator/ui`)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toMatch(/^text\/html/)
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
    expect(await page.text()).toContain('<script type="module" src="ui/app.js">')
    const slash = await fetch(`${server.url}/_emulator/ui/`, { redirect: "manual" })
    expect(slash.status).toBe(308)
    expect(new URL(slash.headers.get("location")!, `${server.url}/_emulator/ui/`).pathname).toBe(
      "/_emulator/ui"
    )
    let gzipped = 0
    for (const [asset, type] of [
      ["app.js", "text/javascript"],
      ["app.css", "text/css"]
    ] as const) {
      const response = await fetch(`${server.url}/_emulator/ui/${asset}`)
      expect(response.headers.get("content-type")).toContain(type)
      const body = Buffer.from(await response.arrayBuffer())
      expect(body.length).toBeGreaterThan(1000)
      gzipped += gzipSync(body).length
    }
    // The budget for the page's script and stylesheet together.
    expect(gzipped).toBeLessThanOrEqual(50 * 1024)
  })

  it("streams only to the admin token, sent as a header", async () => {
    expect((await fetch(`${server.url}/_emulator/stream`)).status).toBe(403)
    const wrong = await fetch(`${server.url}/_emulator/stream`, { headers: { authorization: "Bearer nope" } })
    expect(wrong.status).toBe(403)
    const inQuery = await fetch(`${server.url}/_emulator/stream?token=${ADMIN}`)
    expect(inQuery.status).toBe(403)
    const installationToken = await fetch(`${server.url}/_emulator/stream`, {
      headers: { authorization: `Bearer ${TOKEN}` }
    })
    expect(installationToken.status).toBe(403)
  })

  it("starts with a snapshot, then sends each write, request, settings change and reset", async () => {
    await createMarketplaceClient({ token: TOKEN, baseUrl: server.url }).installationUpdated(ID, "pro")
    const response = await fetch(`${server.url}/_emulator/stream`, {
      headers: { authorization: `Bearer ${ADMIN}` }
    })
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8")
    const received = messages(response, 5)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await createMarketplaceClient({ token: TOKEN, baseUrl: server.url }).updateInstallation(ID, {
      status: "ready"
    })
    server.emulator.setRateLimit({ requestsPerSecond: 5 })
    await server.emulator.reset()
    const [snapshot, ...rest] = await received
    expect(snapshot).toMatchObject({
      event: "snapshot",
      data: {
        sequence: 1,
        installations: [{ id: ID }],
        events: [{ sequence: 1, operation: "createEvent" }],
        requests: [{ status: 201 }],
        settings: { rateLimit: null, chaos: null }
      }
    })
    // The request is recorded when its answer is finished, which may come just after the write.
    expect(rest.map((message) => message.event).sort()).toEqual(["request", "settings", "snapshot", "write"])
    const byEvent = Object.fromEntries(rest.map((message) => [message.event, message.data]))
    expect(byEvent.write).toMatchObject({
      entry: { sequence: 2, body: { status: "ready" } },
      installation: { id: ID, status: "ready" }
    })
    expect(byEvent.request).toMatchObject({ method: "PATCH", status: 204 })
    expect(byEvent.settings).toMatchObject({ rateLimit: { requestsPerSecond: 5 } })
    expect(byEvent.snapshot).toMatchObject({ sequence: 0, events: [], requests: [] })
    expect(rest.at(-1)!.event).toBe("snapshot")
  })
})
