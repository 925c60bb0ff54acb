import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import { MarketplaceClient, ValidationError } from "@marketplace-kit/client"
import type { EmulatorServer } from "@marketplace-kit/express"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { layer, migrate, Outbox, openOutbox, type PromiseOutbox } from "../src/index.js"
import { freshDatabase } from "./support/database.js"
import { installationIds, logByInstallation, startEmulator, TOKEN } from "./support/fixtures.js"

const [A, B] = installationIds(2) as [string, string]

let server: EmulatorServer
let url: string
let opened: Array<PromiseOutbox>
let clients: Array<pg.Client>

beforeEach(async () => {
  server = await startEmulator(2)
  url = await freshDatabase()
  opened = []
  clients = []
})

afterEach(async () => {
  await Promise.all(opened.map((outbox) => outbox.close()))
  await Promise.all(clients.map((client) => client.end()))
  await server.close()
})

const open = async (options: Partial<Parameters<typeof openOutbox>[0]> = {}) => {
  const outbox = await openOutbox({ store: url, token: TOKEN, baseUrl: server.url, ...options })
  opened.push(outbox)
  return outbox
}

const connect = async () => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  clients.push(client)
  return client
}

describe("postgres outbox", () => {
  it("validates before storing, stores durably and delivers in order", async () => {
    const outbox = await open({ coalesce: false })
    await expect(outbox.updateInstallation(A, { status: "nope" } as never)).rejects.toBeInstanceOf(
      ValidationError
    )
    for (let i = 0; i < 5; i++) await outbox.updateInstallation(A, { externalId: `pg-${i}` })
    expect(await outbox.stats()).toMatchObject({ pending: 5 })
    const stats = await outbox.drain()
    expect(stats).toMatchObject({ delivered: 5, pending: 0, inFlight: 0, failed: 0 })
    expect(logByInstallation(server).get(A)).toEqual([0, 1, 2, 3, 4].map((i) => ({ externalId: `pg-${i}` })))
  })

  it("enqueues through the caller's pg transaction: a rollback is never delivered, a commit is", async () => {
    const outbox = await open()
    const client = await connect()
    await client.query("CREATE TABLE subscriptions (installation TEXT PRIMARY KEY, plan TEXT NOT NULL)")

    await client.query("BEGIN")
    await client.query("INSERT INTO subscriptions VALUES ($1, 'pro')", [A])
    await outbox.updateInstallation(A, { externalId: "rolled-back" }, { transaction: client })
    await client.query("ROLLBACK")

    await client.query("BEGIN")
    await client.query("INSERT INTO subscriptions VALUES ($1, 'team')", [B])
    const id = await outbox.updateInstallation(B, { externalId: "committed" }, { transaction: client })
    // Uncommitted: invisible to the outbox's own connections.
    expect(await outbox.stats()).toMatchObject({ pending: 0 })
    await client.query("COMMIT")

    expect(id).toMatch(/^\d+$/)
    expect(await outbox.drain()).toMatchObject({ delivered: 1, pending: 0 })
    expect(server.emulator.state.events({ installationId: A })).toEqual([])
    expect(server.emulator.state.installation(B)?.externalId).toBe("committed")
    // The transaction handle path validates too, and a refused op never reaches the caller's transaction.
    await client.query("BEGIN")
    await expect(
      outbox.createEvent(A, { type: "resource.updated" } as never, { transaction: client })
    ).rejects.toBeInstanceOf(ValidationError)
    await client.query("ROLLBACK")
  })

  it("joins an Effect sql.withTransaction: a failed transaction stores nothing", async () => {
    const sqlLayer = PgClient.layer({ url: Redacted.make(url) })
    const clientLayer = MarketplaceClient.layer({ token: Redacted.make(TOKEN), baseUrl: server.url }).pipe(
      Layer.provide(FetchHttpClient.layer)
    )
    const program = Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const outbox = yield* Outbox
      yield* sql`CREATE TABLE accounts (installation TEXT PRIMARY KEY)`
      const refused = yield* Effect.either(
        sql.withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO accounts VALUES (${A})`
            yield* outbox.updateInstallation(A, { externalId: "never" })
            return yield* Effect.fail("business rule said no" as const)
          })
        )
      )
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`INSERT INTO accounts VALUES (${B})`
          yield* outbox.updateInstallation(B, { externalId: "kept" })
        })
      )
      const stats = yield* outbox.drain
      const accounts = yield* sql<{ installation: string }>`SELECT installation FROM accounts`
      return { refused, stats, accounts: accounts.map((row) => row.installation) }
    })
    const result = await Effect.runPromise(
      program.pipe(
        Effect.provide(layer().pipe(Layer.provideMerge(Layer.merge(sqlLayer, clientLayer)))),
        Effect.scoped
      )
    )
    expect(Either.isLeft(result.refused)).toBe(true)
    expect(result.accounts).toEqual([B])
    expect(result.stats).toMatchObject({ delivered: 1, pending: 0, failed: 0 })
    expect(server.emulator.state.events({ installationId: A })).toEqual([])
    expect(server.emulator.state.installation(B)?.externalId).toBe("kept")
  })

  it("renews the leases of slow deliveries: a second worker never takes a live worker's op", async () => {
    // A real server that records each PATCH on arrival and answers only after three leases.
    const arrivals: Array<string> = []
    const slow = createServer((request, response) => {
      arrivals.push(request.url ?? "")
      request.resume()
      setTimeout(() => response.writeHead(204).end(), 900)
    })
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve))
    try {
      const baseUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`
      const options = { coalesce: false, baseUrl, leaseMs: 300, backoffBaseMs: 1, pollMs: 20 }
      const [first, second] = [await open(options), await open(options)]
      await first.updateInstallation(A, { externalId: "slow-a" })
      await first.updateInstallation(B, { externalId: "slow-b" })
      first.start({ concurrency: 2 })
      second.start({ concurrency: 2 })
      const [stats] = await Promise.all([first.drain(), second.drain()])
      expect(stats).toMatchObject({ delivered: 2, pending: 0, inFlight: 0, failed: 0 })
      expect(arrivals.sort()).toEqual([A, B].map((id) => `/v1/installations/${id}`))
    } finally {
      await new Promise((resolve) => slow.close(resolve))
    }
  })

  it("dead-letters a refused op (403) with its error and never the token", async () => {
    const outbox = await open({ coalesce: false, token: "mkit_outbox_wrong_token" })
    await outbox.createEvent(A, { type: "installation.updated" })
    expect(await outbox.drain()).toMatchObject({ failed: 1, delivered: 0 })
    const [dead] = await outbox.failed()
    expect(dead?.lastError).toMatchObject({ type: "Forbidden", status: 403 })
    expect(JSON.stringify(dead)).not.toContain("mkit_outbox_wrong_token")
  })

  it("opens a store written at schema version 2, adds the turn function and delivers what it held", async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        expect(yield* migrate(2)).toBe(2)
        yield* sql`INSERT INTO mkit_outbox_ops (installation_id, operation, input, status, attempts, available_at, created_at)
          VALUES (${A}, 'updateInstallation', ${JSON.stringify({ externalId: "from-v2" })}, 'pending', 0, 0, 0)`
      }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })), Effect.scoped)
    )
    const client = await connect()
    const before = await client.query("SELECT to_regproc('mkit_outbox_turn') AS f")
    expect(before.rows[0].f).toBeNull()
    const outbox = await open({ coalesce: false })
    await outbox.updateInstallation(A, { externalId: "after-v2" })
    expect(await outbox.drain()).toMatchObject({ delivered: 2, pending: 0 })
    expect(logByInstallation(server).get(A)).toEqual([{ externalId: "from-v2" }, { externalId: "after-v2" }])
    const versions = await client.query("SELECT version FROM mkit_outbox_schema ORDER BY version")
    expect(versions.rows.map((row) => row.version)).toEqual([1, 2, 3])
  })
})
