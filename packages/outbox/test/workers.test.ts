import * as SqlClient from "@effect/sql/SqlClient"
import type { EmulatorServer } from "@marketplace-kit/express"
import * as Effect from "effect/Effect"
import { afterEach, describe, expect, it } from "vitest"
import { openOutbox, StoreLayer } from "../src/index.js"
import { freshDatabase } from "./support/database.js"
import { installationIds, logByInstallation, startEmulator, TOKEN, tempDir } from "./support/fixtures.js"
import { spawnWorker, type Worker } from "./support/processes.js"

let server: EmulatorServer | undefined
let workers: Array<Worker> = []
const cleanups: Array<() => void> = []

afterEach(async () => {
  for (const worker of workers) worker.child.kill("SIGKILL")
  await Promise.all(workers.map((worker) => worker.exited))
  workers = []
  await server?.close()
  server = undefined
  for (const cleanup of cleanups.splice(0)) cleanup()
})

/** Stores `count` ops spread over `installations`, each PATCH carrying a unique `externalId`. */
const fill = async (store: string, baseUrl: string, count: number, installations: ReadonlyArray<string>) => {
  const outbox = await openOutbox({ store, token: TOKEN, baseUrl, coalesce: false })
  const expected = new Map<string, Array<unknown>>()
  for (let i = 0; i < count; i++) {
    const id = installations[i % installations.length]!
    const body = { externalId: `op-${i}` }
    await outbox.updateInstallation(id, body)
    expected.set(id, [...(expected.get(id) ?? []), body])
  }
  await outbox.close()
  return expected
}

const until = async (check: () => boolean, timeoutMs = 30_000) => {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Entries per op (by externalId) in the emulator's log. */
const deliveriesPerOp = (emulator: EmulatorServer) => {
  const counts = new Map<string, number>()
  for (const entry of emulator.emulator.state.events()) {
    if (entry.operation !== "updateInstallation") continue
    const key = entry.body.externalId!
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

/** Ops still leased (claimed, delivery not recorded): after a kill, exactly those the dead worker had in flight. */
const leasedOps = (store: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM mkit_outbox_ops
        WHERE status = 'pending' AND lease_owner IS NOT NULL`
      return Number(rows[0]?.n)
    }).pipe(Effect.provide(StoreLayer.layer(store)), Effect.scoped)
  )

const killMidDelivery = async (store: string) => {
  const ids = installationIds(20)
  // Latency keeps requests in flight, so the kill lands mid-delivery.
  server = await startEmulator(20, { chaos: { seed: 7, latencyMs: { min: 5, max: 25 } } })
  const total = 400
  await fill(store, server.url, total, ids)
  const concurrency = 8
  const first = spawnWorker({ store, baseUrl: server.url, token: TOKEN, concurrency, leaseMs: 1500 })
  workers.push(first)
  await first.ready
  await until(() => server!.emulator.state.sequence >= 100)
  first.child.kill("SIGKILL")
  expect(await first.exited).toBe("SIGKILL")
  expect(server.emulator.state.sequence).toBeLessThan(total)
  const inFlightAtKill = await leasedOps(store)
  expect(inFlightAtKill).toBeGreaterThan(0)

  const second = spawnWorker({ store, baseUrl: server.url, token: TOKEN, concurrency, leaseMs: 1500 })
  workers.push(second)
  expect(await second.exited).toBe(0)

  const counts = deliveriesPerOp(server)
  expect(counts.size).toBe(total)
  const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0)
  // Only ops in flight at the kill (still leased to the dead worker) may have gone twice.
  expect(duplicates).toBeLessThanOrEqual(inFlightAtKill)
  // And every installation still saw its ops in enqueue order, the re-sent one possibly repeated.
  for (const [installation, bodies] of logByInstallation(server)) {
    const order = bodies.map((body) => Number((body as { externalId: string }).externalId.slice(3)))
    const firstSeen = order.filter((n, i) => order.indexOf(n) === i)
    expect(firstSeen, installation).toEqual([...firstSeen].sort((a, b) => a - b))
  }
}

describe("worker processes", () => {
  it("kill -9 of a SQLite worker mid-delivery: a new worker delivers every stored op", async () => {
    const dir = tempDir()
    cleanups.push(dir.remove)
    await killMidDelivery(`sqlite:${dir.dir}/outbox.db`)
  })

  it("kill -9 of a PostgreSQL worker mid-delivery: a new worker delivers every stored op", async () => {
    await killMidDelivery(await freshDatabase())
  })

  it("4 worker processes on one PostgreSQL: 5,000 ops over 50 installations, in order, no duplicates", async () => {
    const ids = installationIds(50)
    server = await startEmulator(50)
    const store = await freshDatabase()
    const expected = await fill(store, server.url, 5000, ids)
    workers = Array.from({ length: 4 }, () =>
      spawnWorker({ store, baseUrl: server!.url, token: TOKEN, concurrency: 8, leaseMs: 60_000 })
    )
    const codes = await Promise.all(workers.map((worker) => worker.exited))
    expect(codes, workers.map((worker) => worker.stderr()).join("\n")).toEqual([0, 0, 0, 0])
    expect(server.emulator.state.sequence).toBe(5000)
    expect(logByInstallation(server)).toEqual(expected)
  }, 120_000)
})
