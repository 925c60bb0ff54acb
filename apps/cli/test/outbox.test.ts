import { once } from "node:events"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { EmulatorServer } from "@marketplace-kit/express"
import { openOutbox, type PromiseOutbox } from "@marketplace-kit/outbox"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { freshDatabase } from "../../../packages/outbox/test/support/database.js"
// The module augmentation naming `databaseUrl` (type only: the server is started by globalSetup).
import type {} from "../../../packages/outbox/test/support/postgres.js"
import {
  envFor,
  INSTALLATION,
  OTHER_INSTALLATION,
  OTHER_TOKEN,
  startEmulator,
  TOKEN
} from "./support/Emulator.js"
import { json, mkit } from "./support/Mkit.js"

let dir: string
let server: EmulatorServer
const opened: Array<PromiseOutbox> = []
const servers: Array<Server> = []

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "mkit-outbox-cli-"))
  server = await startEmulator()
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((outbox) => outbox.close()))
  for (const hostile of servers.splice(0)) {
    hostile.closeAllConnections()
    hostile.close()
  }
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The partner's app: an outbox it writes to (and never delivers from itself in these tests). */
const appOutbox = async (store: string) => {
  const outbox = await openOutbox({ store, token: "unused_by_the_writer", baseUrl: server.url })
  opened.push(outbox)
  return outbox
}

const outboxCli = (command: string, store: string, args: ReadonlyArray<string> = [], env = envFor(server)) =>
  mkit(["outbox", command, "--store", store, ...args], { env, timeoutMs: 60_000 })

const updatesOf = (id: string) =>
  server.emulator.state
    .events({ installationId: id, operation: "updateInstallation" })
    .map((entry) => (entry.operation === "updateInstallation" ? entry.body.externalId : undefined))

describe("mkit outbox on a SQLite outbox", () => {
  it("status, deliver in order per installation, then status again; the token is never printed", async () => {
    const store = `sqlite:${join(dir, "app.db")}`
    const outbox = await appOutbox(store)
    for (let i = 0; i < 6; i++) {
      await outbox.updateInstallation(INSTALLATION, { externalId: `a-${i}` })
      await outbox.createEvent(INSTALLATION, { type: "resource.updated", resourceId: `r-${i}` })
    }

    const before = await outboxCli("status", store, ["--json"])
    expect(before.code).toBe(0)
    expect(json(before)).toEqual({
      ok: true,
      exitCode: 0,
      pending: 12,
      inFlight: 0,
      delivered: 0,
      failed: 0,
      coalesced: 0
    })

    const delivered = await outboxCli("deliver", store, ["--json", "--concurrency", "4", "--verbose"])
    expect(delivered.stderr).not.toContain(TOKEN)
    expect(delivered.stdout).not.toContain(TOKEN)
    expect(delivered.code).toBe(0)
    expect(json(delivered)).toMatchObject({
      ok: true,
      exitCode: 0,
      delivered: 12,
      failed: 0,
      stats: { pending: 0, inFlight: 0, delivered: 12, failed: 0, coalesced: 0 }
    })
    expect(updatesOf(INSTALLATION)).toEqual(["a-0", "a-1", "a-2", "a-3", "a-4", "a-5"])
    const kinds = server.emulator.state
      .events({ installationId: INSTALLATION })
      .map((entry) => entry.operation)
    expect(kinds).toEqual(Array.from({ length: 6 }, () => ["updateInstallation", "createEvent"]).flat())

    const after = await outboxCli("status", store)
    expect(after.code).toBe(0)
    expect(after.stdout.trim()).toBe(
      "outbox: 0 pending · 0 in flight · 12 delivered · 0 failed · 0 coalesced"
    )
  })

  it("coalesces consecutive PATCHes as the library does", async () => {
    const store = `sqlite:${join(dir, "app.db")}`
    const outbox = await appOutbox(store)
    await outbox.updateInstallation(INSTALLATION, { externalId: "x-1" })
    await outbox.updateInstallation(INSTALLATION, { status: "ready" })
    await outbox.updateInstallation(INSTALLATION, { externalId: "x-2" })
    const result = await outboxCli("deliver", store)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("outbox: delivered 1 request (2 more ops coalesced into them)")
    expect(server.emulator.state.installation(INSTALLATION)).toMatchObject({
      status: "ready",
      externalId: "x-2"
    })
    expect(server.emulator.state.events()).toHaveLength(1)
  })

  it("dead letters: deliver exits with their code, failed lists them, retry-failed puts them back", async () => {
    const store = `sqlite:${join(dir, "app.db")}`
    const outbox = await appOutbox(store)
    // TOKEN is not OTHER_INSTALLATION's: a non-retryable refusal.
    await outbox.updateInstallation(OTHER_INSTALLATION, { externalId: "o-1" })
    await outbox.updateInstallation(INSTALLATION, { externalId: "ok-1" })

    const first = await outboxCli("deliver", store, ["--json"])
    const summary = json(first)
    expect(first.code).toBe(summary.exitCode)
    expect([3, 4]).toContain(first.code)
    expect(summary).toMatchObject({ ok: false, delivered: 1, failed: 1 })
    expect(summary.failures).toEqual([
      expect.objectContaining({
        installationId: OTHER_INSTALLATION,
        operation: "updateInstallation",
        input: { externalId: "o-1" },
        error: expect.objectContaining({ status: expect.any(Number), message: expect.any(String) })
      })
    ])
    expect(first.stdout).not.toContain(TOKEN)

    const listed = await outboxCli("failed", store, ["--json"])
    expect(listed.code).toBe(0)
    const failed = json(listed).failed as Array<Record<string, unknown>>
    expect(failed.map((op) => op.installationId)).toEqual([OTHER_INSTALLATION])
    const text = await outboxCli("failed", store)
    expect(text.stdout).toMatch(new RegExp(`^op \\d+ \\(PATCH ${OTHER_INSTALLATION}\\): 40[34] `))

    const retried = await outboxCli("retry-failed", store, ["--json"])
    expect(json(retried)).toEqual({ ok: true, exitCode: 0, retried: 1 })
    expect(json(await outboxCli("status", store, ["--json"]))).toMatchObject({ pending: 1, failed: 0 })

    // Delivered by a worker holding the right token.
    const second = await outboxCli("deliver", store, ["--json"], envFor(server, OTHER_TOKEN))
    expect(second.code).toBe(0)
    expect(json(second)).toMatchObject({ delivered: 1, failed: 0 })
    expect(updatesOf(OTHER_INSTALLATION)).toEqual(["o-1"])
    expect((await outboxCli("failed", store)).stdout.trim()).toBe("outbox: no failed ops")
  })

  it("prints a hostile server's error text escaped", async () => {
    const hostile = createServer((req, res) => {
      req.resume()
      res.writeHead(403, { "content-type": "application/json" })
      res.end(
        JSON.stringify({ error: { code: "forbidden\x1b[2J", message: "no\r\x1b[1Aoverwritten\u202e" } })
      )
    })
    servers.push(hostile)
    hostile.listen(0, "127.0.0.1")
    await once(hostile, "listening")
    const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`
    const store = `sqlite:${join(dir, "app.db")}`
    const outbox = await appOutbox(store)
    await outbox.updateInstallation(INSTALLATION, { externalId: "h-1" })

    const env = { VERCEL_API_URL: url, VERCEL_TOKEN: TOKEN }
    const delivered = await outboxCli("deliver", store, [], env)
    expect(delivered.code).toBe(3)
    const listed = await outboxCli("failed", store, [], env)
    for (const output of [delivered.stderr, listed.stdout]) {
      expect(output).not.toContain("\x1b")
      expect(output).not.toContain("\r")
      expect(output).not.toContain("\u202e")
      expect(output).toContain("forbidden\\x1b[2J")
    }
  })

  it("refuses a missing store, a bad URL, --dry-run on deliver and a missing token, sending nothing", async () => {
    const missing = await outboxCli("status", `sqlite:${join(dir, "nope.db")}`, ["--json"])
    expect(missing.code).toBe(2)
    expect(json(missing)).toMatchObject({ ok: false, error: { type: "UsageError" } })
    const bad = await outboxCli("status", "mysql://root:hunter2secret@db/app")
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--store:")
    expect(bad.stderr).not.toContain("hunter2secret")

    const store = `sqlite:${join(dir, "app.db")}`
    const outbox = await appOutbox(store)
    await outbox.updateInstallation(INSTALLATION, { externalId: "kept" })
    const dry = await outboxCli("deliver", store, ["--dry-run"])
    expect(dry.code).toBe(2)
    const noToken = await outboxCli("deliver", store, [], { VERCEL_API_URL: server.url })
    expect(noToken.code).toBe(2)
    expect(noToken.stderr).toContain("no token")
    expect(server.emulator.state.events()).toHaveLength(0)
    expect(await outbox.stats()).toMatchObject({ pending: 1 })
  })
})

describe("mkit outbox on PostgreSQL", () => {
  it("two deliver processes on one PostgreSQL: every op once, in order; the password never printed", async () => {
    const store = await freshDatabase()
    const password = decodeURIComponent(new URL(store).password)
    const outbox = await appOutbox(store)
    // Distinct events: none coalesces, so the emulator's log shows every op.
    for (let i = 0; i < 30; i++)
      await outbox.createEvent(INSTALLATION, { type: "resource.updated", resourceId: `r-${i}` })
    const status = await outboxCli("status", store, ["--json"])
    expect(json(status)).toMatchObject({ ok: true, pending: 30 })

    const workers = await Promise.all([
      outboxCli("deliver", store, ["--verbose", "--json"]),
      outboxCli("deliver", store, ["--verbose", "--json"])
    ])
    for (const result of [...workers, status]) {
      expect(result.code).toBe(0)
      expect(result.stdout + result.stderr).not.toContain(password)
      expect(result.stdout + result.stderr).not.toContain(TOKEN)
    }
    expect(workers.map((result) => Number(json(result).delivered)).reduce((a, b) => a + b)).toBe(30)
    const sent = server.emulator.state
      .events({ installationId: INSTALLATION })
      .map((entry) =>
        entry.operation === "createEvent" && entry.event.type === "resource.updated"
          ? entry.event.resourceId
          : ""
      )
    expect(sent).toEqual(Array.from({ length: 30 }, (_, i) => `r-${i}`))
    expect(json(await outboxCli("status", store, ["--json"]))).toMatchObject({
      pending: 0,
      inFlight: 0,
      delivered: 30
    })
  })

  it("an unreachable server exits 6 without printing the password", async () => {
    const probe = createServer()
    probe.listen(0, "127.0.0.1")
    await once(probe, "listening")
    const port = (probe.address() as AddressInfo).port
    probe.close()
    const result = await outboxCli("status", `postgres://app:s3cret_pw_for_test@127.0.0.1:${port}/app`, [
      "--json"
    ])
    expect(result.code).toBe(6)
    expect(json(result)).toMatchObject({ ok: false, exitCode: 6, error: { type: "StoreError" } })
    expect(result.stdout + result.stderr).not.toContain("s3cret_pw_for_test")
  })
})
