import { createMarketplaceClient, Forbidden, NotFound } from "@marketplace-kit/client"
import { type EmulatorServer, startEmulatorServer } from "@marketplace-kit/express"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// 1,000 calls through the Promise client against an emulator injecting ~30% faults
// (chaos 5xx, dropped connections, stalls past the client timeout, and 429s from a tight rate limit).
// The emulator's request log is the witness: what reached the server, with which status.

const CALLS = 1000
// Every attempt of a call meets a fault independently: measured 0.30–0.40 of all attempts (injected 5xx,
// drops and stalls, plus 429s whose share grows with client speed — Node 24's fetch presses the bucket
// harder than Node 20's). A call is only lost if all its attempts fail, so the run fails with probability
// about CALLS × share^MAX_ATTEMPTS: with 10 attempts that was ~1000 × 0.45^10 ≈ 0.3 on a loaded Node 24
// (it failed once in three runs); with 20 it is ~1000 × 0.4^20 ≈ 1e-5. The margin is asserted below.
const MAX_ATTEMPTS = 20
const MAX_LOSS_PER_RUN = 1e-3
const TOKEN = "soak-token"
const good = (i: number) => `icfg_soak_${i}`
const foreign = (i: number) => `icfg_foreign_${i}`
const missing = (i: number) => `icfg_missing_${i}`

let server: EmulatorServer
const requests: Array<{ path: string; status: string }> = []

beforeAll(async () => {
  server = await startEmulatorServer({
    installations: [
      ...Array.from({ length: CALLS }, (_, i) => ({ id: good(i), token: TOKEN })),
      ...Array.from({ length: 100 }, (_, i) => ({ id: foreign(i), token: "someone-else" }))
    ],
    chaos: { seed: 2026, errorRate: 0.14, dropRate: 0.06, stallRate: 0.04, stallMs: 1500 },
    rateLimit: { requestsPerSecond: 100, burst: 5 },
    logLimit: 10 * CALLS,
    log: (line) => {
      const [, path = "", status = ""] = line.split(" ")
      requests.push({ path, status })
    }
  })
})
afterAll(() => server.close())

const inParallel = async <T>(count: number, concurrency: number, task: (i: number) => Promise<T>) => {
  const results: Array<PromiseSettledResult<T>> = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++
        results[i] = await task(i).then(
          (value) => ({ status: "fulfilled", value }) as const,
          (reason: unknown) => ({ status: "rejected", reason }) as const
        )
      }
    })
  )
  return results
}

describe("fault soak", () => {
  it("delivers every call through injected faults, within the attempt cap, never retrying 403/404", async () => {
    const client = createMarketplaceClient({
      token: TOKEN,
      baseUrl: server.url,
      // Generous against a loaded CI machine; stalls (held 1.5 s) still outlast it.
      timeoutMs: 1000,
      retry: { maxAttempts: MAX_ATTEMPTS, baseDelay: 5, maxDelay: 200, maxElapsed: 60_000 }
    })
    const delivered = await inParallel(CALLS, 16, (i) =>
      i % 2 === 0
        ? client.resourceUpdated(good(i), `res_${i}`)
        : client.updateInstallation(good(i), { externalId: `ext_${i}`, status: "ready" })
    )
    const refused = await inParallel(100, 8, (i) =>
      i % 2 === 0 ? client.installationUpdated(missing(i)) : client.installationUpdated(foreign(i))
    )

    expect(
      delivered.flatMap((r, i) => (r.status === "rejected" ? [`call ${i}: ${String(r.reason)}`] : []))
    ).toEqual([])
    const log = server.emulator.state.events({ limit: 10_000 })
    for (let i = 0; i < CALLS; i++) {
      const landed = log.some((entry) =>
        i % 2 === 0
          ? entry.operation === "createEvent" &&
            entry.event.type === "resource.updated" &&
            entry.event.resourceId === `res_${i}`
          : entry.operation === "updateInstallation" && entry.body.externalId === `ext_${i}`
      )
      expect(landed, `call ${i} is in the emulator's log`).toBe(true)
    }
    // Compared as names: vitest's diff of an Effect error recurses through its Equal/Hash protocol.
    expect(
      refused.map((result) =>
        result.status === "rejected" &&
        (result.reason instanceof NotFound || result.reason instanceof Forbidden)
          ? result.reason._tag
          : String(result.status === "rejected" ? result.reason : "resolved")
      )
    ).toEqual(refused.map((_, i) => (i % 2 === 0 ? "NotFound" : "Forbidden")))

    // Each call has its own path, so the server-side log shows every attempt of every call.
    const byPath = new Map<string, Array<string>>()
    for (const { path, status } of requests) byPath.set(path, [...(byPath.get(path) ?? []), status])
    for (const [path, statuses] of byPath) {
      expect(statuses.length, `${path} attempts`).toBeLessThanOrEqual(MAX_ATTEMPTS)
      const final = statuses.findIndex((status) => ["400", "401", "403", "404"].includes(status))
      if (final !== -1)
        expect(statuses.slice(final + 1), `${path} retried after ${statuses[final]}`).toEqual([])
    }
    const faults = requests.filter(({ status }) => !["201", "204", "403", "404"].includes(status)).length
    const share = faults / requests.length
    expect(share, "share of attempts that met an injected fault").toBeGreaterThan(0.2)
    // A client change that makes more attempts fail (e.g. retries that all come back at once into the
    // rate limit) shows up here before it makes this test flaky.
    expect(
      CALLS * share ** MAX_ATTEMPTS,
      `chance per run to exhaust ${MAX_ATTEMPTS} attempts at share ${share.toFixed(3)}`
    ).toBeLessThan(MAX_LOSS_PER_RUN)
    expect(requests.some(({ status }) => status === "429")).toBe(true)
    expect(requests.some(({ status }) => status === "dropped")).toBe(true)
  }, 120_000)
})
