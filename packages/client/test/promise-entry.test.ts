import { readFileSync } from "node:fs"
import { builtinModules, createRequire } from "node:module"
import { inspect } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ID, TOKEN } from "./support/fixtures.js"
import { startServer, type TestServer } from "./support/TestServer.js"

// `@marketplace-kit/client/promise` as published: the built files, ESM and CJS. They must load
// nothing but Node's own modules (Effect, the platform, core and zod are inlined), and each must
// reject with the very error classes it exports.

type PromiseEntry = typeof import("../src/promise.js")

const dist = (file: string) => new URL(`../dist/${file}`, import.meta.url).pathname
const entries: Record<string, () => Promise<PromiseEntry>> = {
  esm: async () => (await import(dist("promise.js"))) as PromiseEntry,
  cjs: async () => createRequire(import.meta.url)(dist("promise.cjs")) as PromiseEntry
}

// Every module specifier a built file asks for: static and dynamic imports, re-exports, requires.
const specifiers = (code: string): Array<string> =>
  [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'`]([^"'`]+)["'`]/g)].map(
    (match) => match[1] ?? ""
  )

let server: TestServer
beforeAll(async () => {
  server = await startServer((request) =>
    request.url.includes("icfg_gone")
      ? { status: 404, body: { error: { code: "not_found", message: "no such installation" } } }
      : { status: request.method === "PATCH" ? 204 : 201 }
  )
})
afterAll(() => server.close())

describe.each(Object.keys(entries))("@marketplace-kit/client/promise (%s build)", (format) => {
  const load = entries[format]!

  it("is self-contained: it loads only Node's built-in modules", () => {
    const code = readFileSync(dist(format === "esm" ? "promise.js" : "promise.cjs"), "utf8")
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))
    expect(specifiers(code).filter((specifier) => !builtins.has(specifier))).toEqual([])
  })

  it("sends both operations", async () => {
    const { createMarketplaceClient } = await load()
    const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url, retry: false })
    const before = server.requests.length
    await client.updateInstallation(ID, { status: "ready" })
    await client.createEvent(ID, { type: "resource.updated", resourceId: "res_1" })
    expect(
      server.requests.slice(before).map((request) => [request.method, request.url, request.body])
    ).toEqual([
      ["PATCH", `/v1/installations/${ID}`, '{"status":"ready"}'],
      ["POST", `/v1/installations/${ID}/events`, '{"event":{"type":"resource.updated","resourceId":"res_1"}}']
    ])
  })

  it("rejects with its own error classes, validation and HTTP alike", async () => {
    const { createMarketplaceClient, isMarketplaceError, NotFound, ValidationError } = await load()
    const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url, retry: false })
    const gone = await client.installationUpdated("icfg_gone").catch((error: unknown) => error)
    expect(gone).toBeInstanceOf(NotFound)
    expect(gone).toMatchObject({ _tag: "NotFound", status: 404, code: "not_found", attempts: 1 })
    const invalid = await client
      .updateInstallation(ID, { status: "gone" } as never)
      .catch((error: unknown) => error)
    expect(invalid).toBeInstanceOf(ValidationError)
    expect(invalid).toMatchObject({ attempts: 0, issues: [{ path: "status" }] })
    expect([gone, invalid].every(isMarketplaceError)).toBe(true)
    // Minified, yet the classes keep their names: Node prints `NotFound: …`, not a mangled `xy [NotFound]: …`.
    expect([NotFound.name, ValidationError.name]).toEqual(["NotFound", "ValidationError"])
    expect(inspect(gone)).toMatch(/^NotFound: POST /)
  })
})
