import { Agent, request } from "node:http"
import * as Arb from "@marketplace-kit/core/arbitraries"
import * as fc from "fast-check"
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest"
import { type EmulatorServer, startEmulatorServer } from "../src/index.js"
import { vercelErrorOf } from "./support/listen.js"

// Thousands of hostile bodies through one real emulator server: never a 5xx, always a
// Vercel-shaped JSON error, and nothing leaks onto Object.prototype.

// Seeded, so a run is repeatable: FUZZ_SEED=<n> replays the seed a failure printed.
const SEED = Number(process.env.FUZZ_SEED ?? 20261202)
fc.configureGlobal({ seed: SEED })
beforeEach(() => {
  onTestFailed(() => {
    process.stderr.write(`fuzz.test.ts failed with seed ${SEED}; replay with FUZZ_SEED=${SEED}\n`)
  })
})

const A = { id: "icfg_fuzz", token: "tok_fuzz" }
const ADMIN = "fuzz_admin"
const PROTO_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "polluted"
]
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort()

let server: EmulatorServer
// Plain node:http with keep-alive: far less per-request overhead than fetch, so thousands of bodies take seconds.
const agent = new Agent({ keepAlive: true, maxSockets: 8 })
beforeAll(async () => {
  server = await startEmulatorServer({ installations: [A], adminToken: ADMIN, logLimit: 200 })
})
afterAll(async () => {
  agent.destroy()
  await server.close()
})

interface Sent {
  readonly method?: string
  readonly path?: string
  readonly body?: string
  readonly contentType?: string
  readonly token?: string
}

const send = ({
  method = "PATCH",
  path = `/v1/installations/${A.id}`,
  body,
  contentType = "application/json",
  token = A.token
}: Sent) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const { port } = new URL(server.url)
    const headers = {
      authorization: `Bearer ${token}`,
      ...(body === undefined
        ? {}
        : { "content-type": contentType, "content-length": Buffer.byteLength(body) })
    }
    const req = request({ host: "127.0.0.1", port, path, method, agent, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })

// The invariant every answer must keep.
const wellBehaved = async (request: Sent): Promise<boolean> => {
  const { status, text } = await send(request)
  if (status === 204 || status === 201) return text === ""
  return status >= 400 && status < 500 && vercelErrorOf(text) !== undefined
}

// Sets a key as an own enumerable property even when it is "__proto__", so JSON.stringify writes it out.
const setOwn = (target: object, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })

const containers = (value: unknown, out: Array<object> = []): Array<object> => {
  if (typeof value === "object" && value !== null) {
    out.push(value)
    for (const child of Object.values(value)) containers(child, out)
  }
  return out
}

const mutation = fc.record({
  pick: fc.nat(),
  kind: fc.constantFrom("replace", "delete", "insert"),
  key: fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 12 })),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(null, "", 0, -1, 1e308, true, [], {}, "2026-99-99", "javascript:alert(1)")
  )
})

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never

// Applies mutations to a copy of a valid body: replace or delete an existing key, or insert a new one.
const mutate = (valid: unknown, mutations: ReadonlyArray<Mutation>) => {
  const body: unknown = structuredClone(valid)
  for (const m of mutations) {
    const nodes = containers(body)
    const node = nodes[m.pick % nodes.length] as Record<string, unknown> | undefined
    if (node === undefined) continue
    const keys = Object.keys(node)
    const existing = keys[m.pick % Math.max(1, keys.length)]
    // A fresh copy each time, so a shared constant can never end up inside itself.
    const value = structuredClone(m.value)
    if (m.kind === "delete" && existing !== undefined) delete node[existing]
    else if (m.kind === "replace" && existing !== undefined) setOwn(node, existing, value)
    // An array's `length` cannot be redefined (and JSON would not carry it): insert an element instead.
    else if (Array.isArray(node)) node.push(value)
    else setOwn(node, m.key, value)
  }
  return body
}

const mutated = (valid: fc.Arbitrary<unknown>) =>
  fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([body, ms]) => JSON.stringify(mutate(body, ms)))

// Each run sends a batch of 8 requests at once; fast-check still shrinks a failing batch to its culprit.
const property = (arbitrary: fc.Arbitrary<Sent>, bodies: number) =>
  fc.assert(
    fc.asyncProperty(fc.array(arbitrary, { minLength: 8, maxLength: 8 }), async (batch) =>
      (await Promise.all(batch.map(wellBehaved))).every(Boolean)
    ),
    { numRuns: Math.ceil(bodies / 8) }
  )

// Generous per-test time: thousands of requests take seconds, more on a busy CI machine.
describe("fuzzing the router and emulator", { timeout: 60_000 }, () => {
  it("mutated valid update bodies", async () => {
    await property(
      mutated(Arb.updateInstallationBody).map((body) => ({ body })),
      1000
    )
  })

  it("mutated valid event bodies", async () => {
    await property(
      mutated(Arb.createEventBody).map((body) => ({
        method: "POST",
        path: `/v1/installations/${A.id}/events`,
        body
      })),
      600
    )
  })

  it("valid bodies are all accepted", async () => {
    await fc.assert(
      fc.asyncProperty(
        Arb.updateInstallationBody,
        async (body) => (await send({ body: JSON.stringify(body) })).status === 204
      ),
      { numRuns: 200 }
    )
  })

  it("__proto__ and constructor keys at every level", async () => {
    const proto = fc.constantFrom(
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"billingPlan":{"id":"p","type":"prepayment","name":"P","__proto__":{"polluted":"yes"}}}',
      '{"billingPlan":{"id":"p","type":"prepayment","name":"P","constructor":{"prototype":{"polluted":"yes"}}}}',
      '{"billingPlan":{"id":"p","type":"prepayment","name":"P","details":[{"label":"l","__proto__":{"polluted":"yes"}}]}}',
      '{"notification":{"level":"info","title":"t","__proto__":{"polluted":"yes"}}}',
      '{"__proto__":[],"status":"ready"}'
    )
    await property(
      proto.map((body) => ({ body })),
      50
    )
    await property(
      proto.map((body) => ({
        method: "POST",
        path: `/v1/installations/${A.id}/events`,
        body: `{"event":${body}}`
      })),
      50
    )
    const installation = server.emulator.state.installation(A.id)
    if (installation?.billingPlan)
      expect(Object.getPrototypeOf(installation.billingPlan)).toBe(Object.prototype)
  })

  it("wrong types everywhere", async () => {
    const anything = fc.jsonValue({ maxDepth: 3 })
    const wrong = fc.oneof(
      anything,
      fc.record(
        { billingPlan: anything, notification: anything, status: anything, externalId: anything },
        { requiredKeys: [] }
      ),
      fc.record({ event: fc.oneof(anything, fc.record({ type: anything, resourceId: anything })) })
    )
    await property(
      fc.tuple(wrong, fc.boolean()).map(([body, event]) => ({
        body: JSON.stringify(body),
        ...(event ? { method: "POST", path: `/v1/installations/${A.id}/events` } : {})
      })),
      600
    )
  })

  it("deep nesting, from just over the cap to as deep as the body limit allows", async () => {
    const deep = fc
      .tuple(fc.integer({ min: 30, max: 60_000 }), fc.constantFrom("[]", "{}"), fc.nat(2))
      .map(([depth, [open, close], place]) => {
        const nest = `${(open === "[" ? "[" : '{"a":').repeat(depth)}1${(open === "[" ? "]" : "}").repeat(depth)}`
        const body = [
          nest,
          `{"billingPlan":{"id":"p","type":"prepayment","name":"P","extra":${nest}}}`,
          `{"notification":${nest}}`
        ][place]!
        return { body, _: close }
      })
    await property(
      deep.map(({ body }) => ({ body })),
      60
    )
  })

  it("huge strings in every field", async () => {
    const huge = fc
      .tuple(
        fc.integer({ min: 1_000, max: 150_000 }),
        fc.constantFrom("x", "é", "😀", '"', "\\", "\u0000"),
        fc.nat(3)
      )
      .map(([length, char, field]) => {
        const text = char.repeat(Math.ceil(length / char.length))
        return JSON.stringify(
          [
            { externalId: text },
            { notification: text },
            { billingPlan: { id: text, type: "prepayment", name: "P" } },
            { [text.slice(0, 5000)]: 1 }
          ][field]
        )
      })
    await property(
      huge.map((body) => ({ body })),
      60
    )
  })

  it("raw garbage with a JSON content type", async () => {
    await property(
      fc.string({ unit: "binary", maxLength: 200 }).map((body) => ({ body })),
      300
    )
  })

  it("random methods, paths, ids and content types", async () => {
    const requests = fc.record({
      method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
      path: fc.oneof(
        fc.string({ maxLength: 300 }).map((id) => `/v1/installations/${encodeURIComponent(id)}`),
        fc.string({ maxLength: 300 }).map((id) => `/v1/installations/${encodeURIComponent(id)}/events`),
        fc.webPath(),
        fc.constantFrom("/v1/installations/%", "/v1/installations/%ZZ", "/v1/installations/%C0%80")
      ),
      contentType: fc.oneof(
        fc.constantFrom(
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/json; charset=utf-16"
        ),
        fc.string({ maxLength: 40 }).filter((type) => /^[\x20-\x7e]*$/.test(type))
      ),
      body: fc.oneof(
        fc.constant("{}"),
        fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))
      )
    })
    await property(
      requests.map((r) => (r.method === "GET" ? { method: r.method, path: r.path } : r)),
      400
    )
  })

  it("the inspection API's query parameters", async () => {
    const query = fc.dictionary(
      fc.constantFrom("since", "limit", "operation", "installationId", "x"),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String))
    )
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        const { status, text } = await send({
          method: "GET",
          path: `/_emulator/events?${new URLSearchParams(params)}`,
          token: ADMIN
        })
        return status === 200 || (status === 400 && vercelErrorOf(text) !== undefined)
      }),
      { numRuns: 200 }
    )
  })

  it("left Object.prototype untouched and the server healthy", async () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    for (const key in {}) expect.unreachable(`inherited enumerable key ${key}`)
    expect((await send({ body: '{"status":"ready"}' })).status).toBe(204)
  })
})
