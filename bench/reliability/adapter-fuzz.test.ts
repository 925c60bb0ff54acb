import { Agent, request } from "node:http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import * as Arb from "@marketplace-kit/core/arbitraries"
import { type EmulatorServer, startEmulatorServer } from "@marketplace-kit/express"
import * as fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest"

// 10,000 generated and mutated requests (bodies, headers, methods, paths) against the router with the
// emulator backend over real HTTP: no 5xx, every error Vercel-shaped, no prototype pollution, flat memory.

const REQUESTS = 10_000
const ID = "icfg_fuzz"
const TOKEN = "fuzz-token"
// Seeded, so a run is repeatable: FUZZ_SEED=<n> replays the seed a failure printed.
const SEED = Number(process.env.FUZZ_SEED ?? 20261123)

let server: EmulatorServer
beforeAll(async () => {
  server = await startEmulatorServer({
    installations: [{ id: ID, token: TOKEN }],
    logLimit: 100,
    requestLogLimit: 100
  })
})
afterAll(() => server.close())

const hostile = fc.constantFrom<unknown>(
  { ["__proto__"]: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  JSON.parse('{"__proto__":{"polluted":true},"status":"ready"}'),
  "x".repeat(200_000),
  Array.from({ length: 5000 }, () => 1),
  JSON.parse(`${"[".repeat(400)}${"]".repeat(400)}`),
  JSON.parse(`${'{"a":'.repeat(300)}1${"}".repeat(300)}`),
  -0,
  1e308,
  null,
  true
)

// Replace, drop or corrupt one value somewhere in a valid body.
const mutate = (body: unknown, replacement: unknown, pick: number): unknown => {
  if (typeof body !== "object" || body === null) return replacement
  const entries = Object.entries(body)
  if (entries.length === 0) return { [`k${pick % 7}`]: replacement }
  const [key, value] = entries[pick % entries.length]!
  const copy: Record<string, unknown> = { ...body }
  if (pick % 3 === 0) delete copy[key]
  else copy[key] = pick % 3 === 1 ? replacement : mutate(value, replacement, Math.floor(pick / 3))
  return copy
}

const body = fc.oneof(
  Arb.updateInstallationBody,
  Arb.createEventBody,
  fc
    .tuple(
      fc.oneof(Arb.updateInstallationBody, Arb.createEventBody),
      fc.oneof(hostile, fc.jsonValue({ maxDepth: 2 })),
      fc.nat()
    )
    .map(([valid, replacement, pick]) => mutate(valid, replacement, pick)),
  hostile,
  fc.jsonValue({ maxDepth: 4 })
)

const rawBody = fc.oneof(
  { weight: 8, arbitrary: body.map((value) => JSON.stringify(value) ?? "") },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "{", '{"a":}', "\u0000", "[1,2", "null", '"str"') }
)

const requestArb = fc.record({
  method: fc.constantFrom("PATCH", "POST", "PATCH", "POST", "GET", "PUT", "DELETE", "OPTIONS"),
  path: fc.oneof(
    fc.constantFrom(`/v1/installations/${ID}`, `/v1/installations/${ID}/events`),
    Arb.integrationConfigurationId.map((id) => `/v1/installations/${encodeURIComponent(id)}`),
    fc.constantFrom(
      "/v1/installations/%E0%A4%A",
      "/v1/installations/..%2F..",
      "/v1/installations//events",
      "/v1/nope",
      "/v1/installations/a%00b/events"
    )
  ),
  contentType: fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    undefined
  ),
  authorization: fc.constantFrom(
    `Bearer ${TOKEN}`,
    `Bearer ${TOKEN}`,
    "Bearer wrong",
    "Basic abc",
    "Bearer",
    "bearer  x",
    undefined
  ),
  body: rawBody
})

type FuzzRequest = typeof requestArb extends fc.Arbitrary<infer T> ? T : never

const agent = new Agent({ keepAlive: true, maxSockets: 32 })

const send = (req: FuzzRequest): Promise<{ status: number; body: string; type: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(req.path, server.url)
    const headers: Record<string, string> = {}
    if (req.contentType !== undefined) headers["content-type"] = req.contentType
    if (req.authorization !== undefined) headers.authorization = req.authorization
    const outgoing = request(url, { method: req.method, headers, agent }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        text += chunk
      })
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: text, type: String(res.headers["content-type"] ?? "") })
      )
    })
    outgoing.on("error", (error) =>
      reject(new Error(`${req.method} ${req.path} ${JSON.stringify(req).slice(0, 300)}: ${error.message}`))
    )
    outgoing.end(req.body)
  })

// A real GC before each heap reading, without needing --expose-gc on the worker's command line.
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const heapAfterGc = () => {
  gc()
  return process.memoryUsage().heapUsed
}

describe("adapter fuzz", () => {
  it(`answers ${REQUESTS.toLocaleString()} hostile requests without a 5xx, a crash, pollution or growing memory`, async () => {
    onTestFailed(() => {
      process.stderr.write(`adapter-fuzz failed with seed ${SEED}; replay with FUZZ_SEED=${SEED}\n`)
    })
    const samples = fc.sample(requestArb, { numRuns: REQUESTS, seed: SEED })
    const statuses = new Map<number, number>()
    let heapAtWarmup = 0
    let next = 0
    const worker = async () => {
      while (next < samples.length) {
        const i = next++
        const res = await send(samples[i]!)
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        expect(res.status, `${samples[i]!.method} ${samples[i]!.path}`).toBeLessThan(500)
        if (res.status >= 400) {
          expect(res.type).toContain("application/json")
          const parsed = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } }
          expect(typeof parsed.error?.code).toBe("string")
          expect(typeof parsed.error?.message).toBe("string")
        }
        if (i === 2000) heapAtWarmup = heapAfterGc()
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))
    const growth = heapAfterGc() - heapAtWarmup

    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty("polluted")
    // Successes and several error classes were all exercised, so the run really covered the router.
    for (const status of [201, 204, 400, 403, 404, 405, 415])
      expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0)
    expect(growth, `heap growth over ${REQUESTS - 2000} requests (bytes)`).toBeLessThan(24 * 1024 * 1024)
    agent.destroy()
  }, 180_000)
})
