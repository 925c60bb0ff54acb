import { ValidationError } from "@marketplace-kit/client"
import type { EmulatorServer } from "@marketplace-kit/express"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { openOutbox, type PromiseOutbox } from "../src/index.js"
import { installationIds, logByInstallation, startEmulator, TOKEN, tempDir } from "./support/fixtures.js"

const [A, B, C] = installationIds(3) as [string, string, string]

let server: EmulatorServer
let dir: ReturnType<typeof tempDir>
let opened: Array<PromiseOutbox>

beforeEach(async () => {
  server = await startEmulator(3)
  dir = tempDir()
  opened = []
})

afterEach(async () => {
  await Promise.all(opened.map((outbox) => outbox.close()))
  await server.close()
  dir.remove()
})

const open = async (options: Partial<Parameters<typeof openOutbox>[0]> = {}) => {
  const outbox = await openOutbox({
    store: `sqlite:${dir.dir}/outbox.db`,
    token: TOKEN,
    baseUrl: server.url,
    retry: { baseDelay: 5, maxAttempts: 2 },
    ...options
  })
  opened.push(outbox)
  return outbox
}

describe("sqlite outbox", () => {
  it("rejects a bad body with the client's ValidationError and stores nothing", async () => {
    const outbox = await open()
    const error = await outbox
      .updateInstallation(A, { billingPlan: { id: "pro", type: "monthly" } } as never)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain("billingPlan.name")
    await expect(outbox.createEvent("icfg/1", { type: "installation.updated" })).rejects.toBeInstanceOf(
      ValidationError
    )
    expect(await outbox.stats()).toEqual({ pending: 0, inFlight: 0, delivered: 0, failed: 0, coalesced: 0 })
  })

  it("keeps acknowledged ops across a close and delivers them, in order per installation", async () => {
    const first = await open({ coalesce: false })
    const ids: Array<string> = []
    for (let i = 0; i < 5; i++) {
      ids.push(await first.updateInstallation(A, { externalId: `a-${i}` }))
      ids.push(await first.createEvent(B, { type: "resource.updated", resourceId: `r-${i}` }))
    }
    expect(new Set(ids).size).toBe(10)
    await first.close()
    opened = []
    expect(server.emulator.state.sequence).toBe(0)

    const second = await open({ coalesce: false })
    expect((await second.stats()).pending).toBe(10)
    second.start({ concurrency: 4 })
    const stats = await second.drain()
    expect(stats).toMatchObject({ pending: 0, inFlight: 0, delivered: 10, failed: 0 })
    const log = logByInstallation(server)
    expect(log.get(A)).toEqual([0, 1, 2, 3, 4].map((i) => ({ externalId: `a-${i}` })))
    expect(log.get(B)).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ type: "resource.updated", resourceId: `r-${i}` }))
    )
    expect(server.emulator.state.installation(A)?.externalId).toBe("a-4")
  })

  it("coalesces consecutive PATCHes into one request and dedupes identical consecutive events", async () => {
    const outbox = await open()
    await outbox.updateInstallation(A, { externalId: "x", notification: { level: "info", title: "hi" } })
    await outbox.updateInstallation(A, { notification: null })
    await outbox.updateInstallation(A, { status: "suspended" })
    await outbox.createEvent(A, { type: "installation.updated" })
    await outbox.createEvent(A, { type: "installation.updated" })
    await outbox.updateInstallation(A, { externalId: "y" })
    const stats = await outbox.drain()
    expect(stats).toMatchObject({ delivered: 3, coalesced: 3, failed: 0 })
    expect(logByInstallation(server).get(A)).toEqual([
      { externalId: "x", notification: null, status: "suspended" },
      { type: "installation.updated" },
      { externalId: "y" }
    ])
    expect(server.emulator.state.installation(A)).toMatchObject({ externalId: "y", status: "suspended" })
    expect(server.emulator.state.installation(A)?.notification).toBeUndefined()
  })

  it("dead-letters non-retryable failures with their error, and retryFailed sends them again", async () => {
    const outbox = await open()
    const unknown = "icfg_outbox_missing"
    await outbox.updateInstallation(unknown, { externalId: "lost" })
    await outbox.updateInstallation(C, { externalId: "fine" })
    const stats = await outbox.drain()
    expect(stats).toMatchObject({ delivered: 1, failed: 1, pending: 0 })
    const [dead] = await outbox.failed()
    expect(dead).toMatchObject({
      installationId: unknown,
      status: "failed",
      attempts: 1,
      lastError: { type: "NotFound", status: 404 }
    })
    expect(JSON.stringify(dead)).not.toContain(TOKEN)
    expect(await outbox.retryFailed()).toBe(1)
    expect(await outbox.drain()).toMatchObject({ failed: 1, delivered: 1 })
    expect(server.emulator.state.events({ installationId: unknown })).toEqual([])
  })

  it("reschedules retryable failures with backoff, then dead-letters them after maxDeliveries", async () => {
    await server.close()
    const outbox = await open({ maxDeliveries: 3, backoffBaseMs: 20, retry: false })
    await outbox.updateInstallation(A, { externalId: "unreachable" })
    const stats = await outbox.drain()
    expect(stats).toMatchObject({ failed: 1, delivered: 0 })
    const [dead] = await outbox.failed()
    expect(dead).toMatchObject({ attempts: 3, lastError: { type: "TransportError" } })
    server = await startEmulator(3)
  })
})
