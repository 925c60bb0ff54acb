import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { once } from "node:events"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DEMO_SEED } from "@marketplace-kit/express"
import { describe, expect, it } from "vitest"
import { MKIT, mkit } from "./support/Mkit.js"

const dir = mkdtempSync(join(tmpdir(), "mkit-serve-"))

/** Starts `mkit serve …` and resolves once it prints the URL it listens on. */
const serve = async (args: ReadonlyArray<string>) => {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [MKIT, "serve", "--port", "0", ...args],
    {
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" }
    }
  )
  let stdout = ""
  child.stdout.setEncoding("utf8")
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (match) resolve(match[1]!)
    })
    child.once("exit", (code) => reject(new Error(`mkit serve exited with ${code}: ${stdout}`)))
  })
  let stopped: Promise<number | null> | undefined
  return {
    url,
    output: () => stdout,
    /** Sends Ctrl-C once and resolves with the exit code. */
    stop: () => {
      stopped ??= (async () => {
        const exited = once(child, "exit")
        child.kill("SIGINT")
        const [code] = await exited
        return code as number | null
      })()
      return stopped
    }
  }
}

describe("mkit serve", () => {
  it("serves the demo installations, logs each request and stops on Ctrl-C", async () => {
    const server = await serve([])
    const [demo] = DEMO_SEED.installations
    const env = { VERCEL_API_URL: server.url, VERCEL_TOKEN: demo!.token }
    const [result, denied] = await Promise.all([
      mkit(["installation", "update", demo!.id, "--status", "ready"], { env }),
      mkit(["installation", "update", demo!.id, "--status", "ready", "--token", "not-the-token"], { env })
    ]).finally(() => server.stop())
    expect(result.code).toBe(0)
    expect(denied.code).toBe(3)
    expect(await server.stop()).toBe(130)
    const output = server.output()
    expect(output).toContain(`${demo!.id}  token: ${demo!.token}`)
    expect(output).toMatch(new RegExp(`PATCH /v1/installations/${demo!.id} 204 \\d+ms`))
    expect(output).toMatch(new RegExp(`PATCH /v1/installations/${demo!.id} 403 \\d+ms`))
  })

  it("serves a seed file's installations with a rate limit and chaos", async () => {
    const seed = join(dir, "seed.json")
    writeFileSync(seed, JSON.stringify({ installations: [{ id: "icfg_seeded", token: "seeded_token_123" }] }))
    const server = await serve([
      "--seed",
      seed,
      "--rate-limit",
      "0.1/s,burst=1",
      "--chaos",
      "seed=3,latency=1"
    ])
    const env = { VERCEL_API_URL: server.url, VERCEL_TOKEN: "seeded_token_123" }
    const update = ["installation", "update", "icfg_seeded", "--status", "ready", "--retries", "0"]
    const first = await mkit(update, { env }).catch(async (error) => {
      await server.stop()
      throw error
    })
    const limited = await mkit(update, { env }).finally(() => server.stop())
    expect(first.code).toBe(0)
    expect(limited.code).toBe(5)
    expect(limited.stderr).toContain("429 rate_limited")
    expect(server.output()).toContain("icfg_seeded")
  })

  it("always prints the dashboard link, which carries the admin token only in its fragment", async () => {
    const seed = join(dir, "dashboard-seed.json")
    writeFileSync(seed, JSON.stringify({ installations: [{ id: "icfg_dash", token: "dash_token_123" }] }))
    const server = await serve(["--seed", seed])
    try {
      await expect.poll(() => server.output(), { timeout: 5000 }).toMatch(/^dashboard: /m)
      const [, page, fragment] = /^dashboard: (\S+)#(\S+)$/m.exec(server.output())!
      expect(page).toBe(`${server.url}/_emulator/ui`)
      expect((await fetch(page!)).status).toBe(200)
      const admin = decodeURIComponent(fragment!)
      const installations = await fetch(`${server.url}/_emulator/installations`, {
        headers: { authorization: `Bearer ${admin}` }
      })
      expect(await installations.json()).toEqual({ installations: [{ id: "icfg_dash" }] })
      // The request lines show paths only: the token is in no logged URL.
      await expect.poll(() => server.output()).toMatch(/GET \/_emulator\/installations 200 \d+ms/)
      expect(server.output().split(admin).length - 1).toBe(2)
    } finally {
      await server.stop()
    }
  })

  it("refuses bad flag values with exit code 2", async () => {
    const rate = await mkit(["serve", "--rate-limit", "fast"])
    expect(rate).toMatchObject({
      code: 2,
      stderr: 'mkit: --rate-limit: expected a rate such as 10/s, received "fast"\n'
    })
    const chaos = await mkit(["serve", "--chaos", "seed=1,boom=1"])
    expect(chaos.code).toBe(2)
    expect(chaos.stderr).toContain('unknown setting "boom"')
    const seed = await mkit(["serve", "--port", "0", "--seed", join(dir, "missing.json")])
    expect(seed.code).toBe(1)
    expect(seed.stderr).toMatch(/^mkit: cannot start the emulator: seed file .*missing\.json/)
  })
})
