import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DEMO_SEED } from "@marketplace-kit/express"
import { afterEach, describe, expect, it } from "vitest"
import { mkit } from "./support/Mkit.js"
import { MKIT_EMULATOR, type Served, serve } from "./support/Serve.js"

const dir = mkdtempSync(join(tmpdir(), "mkit-serve-"))
const SEEDED = { id: "icfg_seeded", token: "seeded_token_123" }
const ADMIN = "serve_admin_token_9c1"
const seedFile = join(dir, "seed.json")
writeFileSync(seedFile, JSON.stringify({ installations: [SEEDED] }))

let running: Array<Served> = []
afterEach(async () => {
  await Promise.all(running.map((server) => server.stop("SIGKILL")))
  running = []
})
const start = async (args: ReadonlyArray<string>, bin: "mkit" | "mkit-emulator" = "mkit") => {
  const server = await serve(["--port", "0", ...args], bin)
  running.push(server)
  return server
}

const admin = (server: Served, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/_emulator${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }
  })
const patch = (server: Served, token: string, body: unknown) =>
  fetch(`${server.url}/v1/installations/${SEEDED.id}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })

describe("mkit serve", () => {
  it("serves the demo installations, logs each request with --verbose and exits 130 on Ctrl-C", async () => {
    const server = await start(["--verbose"])
    const [demo] = DEMO_SEED.installations
    const env = { VERCEL_API_URL: server.url, VERCEL_TOKEN: demo!.token }
    const [result, denied] = await Promise.all([
      mkit(["installation", "update", demo!.id, "--status", "ready"], { env }),
      mkit(["installation", "update", demo!.id, "--status", "ready", "--token", "not-the-token"], { env })
    ])
    expect(result.code).toBe(0)
    expect(denied.code).toBe(3)
    expect(await server.stop("SIGINT")).toBe(130)
    const output = server.lines.join("\n")
    expect(output).toContain(`${demo!.id}  token: ${demo!.token}`)
    expect(output).toMatch(new RegExp(`PATCH /v1/installations/${demo!.id} 204 \\d+ms`))
    expect(output).toMatch(new RegExp(`PATCH /v1/installations/${demo!.id} 403 \\d+ms`))
  })

  it("serves a seed file's installations with a rate limit and chaos", async () => {
    const server = await start([
      "--seed",
      seedFile,
      "--rate-limit",
      "0.1/s,burst=1",
      "--chaos",
      "seed=3,latency=1"
    ])
    const env = { VERCEL_API_URL: server.url, VERCEL_TOKEN: SEEDED.token }
    const update = ["installation", "update", SEEDED.id, "--status", "ready", "--retries", "0"]
    const first = await mkit(update, { env })
    const limited = await mkit(update, { env })
    expect(first.code).toBe(0)
    expect(limited.code).toBe(5)
    expect(limited.stderr).toContain("429 rate_limited")
    expect(server.lines.join("\n")).toContain(SEEDED.id)
    expect(server.lines.join("\n")).not.toContain(SEEDED.token)
  })

  it("always prints the dashboard link, which carries the admin token only in its fragment", async () => {
    const server = await start(["--seed", seedFile, "--verbose"])
    const output = () => server.lines.join("\n")
    await expect.poll(output, { timeout: 5000 }).toMatch(/^dashboard: /m)
    const [, page, fragment] = /^dashboard: (\S+)#(\S+)$/m.exec(output())!
    expect(page).toBe(`${server.url}/_emulator/ui`)
    expect((await fetch(page!)).status).toBe(200)
    const token = decodeURIComponent(fragment!)
    const installations = await fetch(`${server.url}/_emulator/installations`, {
      headers: { authorization: `Bearer ${token}` }
    })
    expect(await installations.json()).toEqual({ installations: [{ id: SEEDED.id }] })
    // The request lines show paths only: the token is in no logged URL, only in the banner's two lines.
    await expect.poll(output).toMatch(/GET \/_emulator\/installations 200 \d+ms/)
    expect(output().split(token).length - 1).toBe(2)
  })

  it("prints the dashboard link without an admin token that was given", async () => {
    const server = await start(["--seed", seedFile, "--admin-token", ADMIN])
    await expect.poll(() => server.lines.join("\n"), { timeout: 5000 }).toMatch(/^dashboard: /m)
    expect(server.lines).toContain(`dashboard: ${server.url}/_emulator/ui (sign in with your admin token)`)
    expect(server.lines.join("\n")).not.toContain(ADMIN)
  })

  it("refuses bad flag values with exit code 2", async () => {
    const rate = await mkit(["serve", "--rate-limit", "fast"])
    expect(rate).toMatchObject({
      code: 2,
      stderr: 'mkit: --rate-limit: expected a rate such as 10/s, received "fast"\n'
    })
    const after = await mkit(["serve", "--rate-limit", "10/s,retry-after=maybe"])
    expect(after.code).toBe(2)
    expect(after.stderr).toContain("retry-after=on|off")
    const chaos = await mkit(["serve", "--chaos", "seed=1,boom=1"])
    expect(chaos.code).toBe(2)
    expect(chaos.stderr).toContain('unknown setting "boom"')
    const ttl = await mkit(["serve", "--token-ttl", "soon"])
    expect(ttl.code).toBe(2)
    expect(ttl.stderr).toContain("--token-ttl: expected a duration")
    const seed = await mkit(["serve", "--port", "0", "--seed", join(dir, "missing.json")])
    expect(seed.code).toBe(1)
    expect(seed.stderr).toMatch(/^mkit: cannot start the emulator: seed file .*missing\.json/)
  })
})

describe("mkit-emulator is mkit serve", () => {
  const flags = [
    "--seed",
    seedFile,
    "--admin-token",
    ADMIN,
    "--rate-limit",
    "10/s,burst=20,retry-after=off",
    "--chaos",
    "seed=1,latency=1",
    "--token-ttl",
    "1h",
    "--body-limit",
    "1kb",
    "--explain",
    "--verbose"
  ]

  it("the same flags start the same emulator", async () => {
    const [serveServer, binServer] = await Promise.all([start(flags, "mkit"), start(flags, "mkit-emulator")])
    const seen = []
    for (const server of [serveServer, binServer]) {
      const rateLimit = await (await admin(server, "/rate-limit")).json()
      const chaos = await (await admin(server, "/chaos")).json()
      const rotated = (await (
        await admin(server, `/installations/${SEEDED.id}/token`, { method: "POST" })
      ).json()) as {
        token: string
        expiresAt: string
      }
      const ttlMs = Date.parse(rotated.expiresAt) - Date.now()
      const tooLarge = await patch(server, rotated.token, { externalId: "x".repeat(2000) })
      const explained = (await (await patch(server, rotated.token, { status: "nope" })).json()) as {
        error: { issues?: unknown }
      }
      const oldToken = await patch(server, SEEDED.token, {})
      seen.push({
        banner: server.lines.slice(0, 4).map((line) => line.replace(server.url, "URL")),
        rateLimit,
        chaos,
        ttlAboutAnHour: ttlMs > 3_590_000 && ttlMs <= 3_600_000,
        tooLarge: tooLarge.status,
        issues: explained.error.issues,
        oldToken: ((await oldToken.json()) as { error: unknown }).error
      })
    }
    expect(seen[0]).toEqual(seen[1])
    expect(seen[0]).toMatchObject({
      rateLimit: { rateLimit: { requestsPerSecond: 10, burst: 20, retryAfter: false } },
      chaos: { chaos: { seed: 1, latencyMs: 1 } },
      ttlAboutAnHour: true,
      tooLarge: 413,
      issues: [expect.objectContaining({ path: "status" })],
      oldToken: { code: "forbidden", message: "Not authorized", invalidToken: true }
    })
    // A given admin token is never printed, by either.
    for (const server of [serveServer, binServer]) expect(server.lines.join("\n")).not.toContain(ADMIN)
    expect(await binServer.stop("SIGTERM")).toBe(143)
    expect(await serveServer.stop("SIGTERM")).toBe(143)
  })

  it("has the same help, and refuses the same mistakes the same way", async () => {
    const serveHelp = await mkit(["serve", "--help"])
    const binHelp = spawnSync(process.execPath, [MKIT_EMULATOR, "--help"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" }
    }).stdout
    expect(serveHelp.code).toBe(0)
    expect(binHelp).toBe(serveHelp.stdout)
    for (const flag of ["--admin-token", "--token-ttl", "--explain", "--body-limit", "--verbose", "--data"])
      expect(binHelp).toContain(flag)
    const bin = spawnSync(process.execPath, [MKIT_EMULATOR, "--rate-limit", "fast"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" }
    })
    const viaServe = await mkit(["serve", "--rate-limit", "fast"])
    expect({ code: bin.status, stderr: bin.stderr }).toEqual({ code: viaServe.code, stderr: viaServe.stderr })
  })

  it("closes cleanly on SIGINT (130) and SIGTERM (143): the data file synced and unlocked", async () => {
    const dataFile = join(dir, "signals.jsonl")
    for (const [signal, code] of [
      ["SIGINT", 130],
      ["SIGTERM", 143]
    ] as const) {
      const server = await start(["--seed", seedFile, "--data", dataFile], "mkit-emulator")
      expect(existsSync(`${dataFile}.lock`)).toBe(true)
      expect((await patch(server, SEEDED.token, { externalId: signal })).status).toBe(204)
      expect(await server.stop(signal)).toBe(code)
      expect(existsSync(`${dataFile}.lock`)).toBe(false)
    }
    const lines = readFileSync(dataFile, "utf8").trimEnd().split("\n")
    expect(lines.map((line) => JSON.parse(line).body.externalId)).toEqual(["SIGINT", "SIGTERM"])
  })
})

describe("one writer per data file", () => {
  it("a second emulator on a data file in use is refused (exit 1, naming the file) and the first is unharmed", async () => {
    const dataFile = join(dir, "shared.jsonl")
    const first = await start(["--seed", seedFile, "--data", dataFile])
    expect((await patch(first, SEEDED.token, { externalId: "one" })).status).toBe(204)
    const before = readFileSync(dataFile)
    for (const second of [
      await mkit(["serve", "--port", "0", "--seed", seedFile, "--data", dataFile]),
      spawnSync(process.execPath, [MKIT_EMULATOR, "--port", "0", "--seed", seedFile, "--data", dataFile], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" }
      })
    ]) {
      expect("code" in second ? second.code : second.status).toBe(1)
      expect(second.stderr).toContain(
        `mkit: cannot start the emulator: data file ${dataFile} is in use by process ${first.child.pid}`
      )
    }
    expect(readFileSync(dataFile)).toEqual(before)
    expect((await patch(first, SEEDED.token, { externalId: "two" })).status).toBe(204)
    expect(await first.stop()).toBe(130)

    const again = await start(["--seed", seedFile, "--data", dataFile, "--admin-token", ADMIN])
    expect(again.lines).toContain(`data file: ${dataFile} (2 writes replayed)`)
    const { events } = (await (await admin(again, "/events")).json()) as {
      events: Array<{ sequence: number; body: { externalId: string } }>
    }
    expect(events.map((entry) => [entry.sequence, entry.body.externalId])).toEqual([
      [1, "one"],
      [2, "two"]
    ])
  })
})
