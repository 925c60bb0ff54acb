import { afterEach, describe, expect, it } from "vitest"
import { DEMO_SEED } from "../src/index.js"
import { parseServerArgs, UsageError } from "../src/ServerArgs.js"
import { type ChildEmulator, runServer, startServer } from "./support/child.js"

describe("standalone server flags", () => {
  it("defaults to a free port on 127.0.0.1 with nothing else on", () => {
    expect(parseServerArgs([])).toEqual({
      help: false,
      verbose: false,
      options: { port: 0, host: "127.0.0.1" }
    })
  })

  it("maps every flag onto the emulator server options", () => {
    const args = [
      ...[
        "--port",
        "4010",
        "--host",
        "0.0.0.0",
        "--seed",
        "s.json",
        "--data",
        "d.jsonl",
        "--admin-token",
        "adm"
      ],
      ...["--rate-limit", "50", "--rate-limit-burst", "10", "--chaos-seed", "7", "--chaos-error-rate", "0.1"],
      ...[
        "--chaos-drop-rate",
        "0.05",
        "--chaos-stall-rate",
        "0.01",
        "--chaos-latency-ms",
        "20",
        "--body-limit",
        "1mb"
      ],
      "--verbose"
    ]
    expect(parseServerArgs(args)).toEqual({
      help: false,
      verbose: true,
      options: {
        port: 4010,
        host: "0.0.0.0",
        seedFile: "s.json",
        dataFile: "d.jsonl",
        adminToken: "adm",
        rateLimit: { requestsPerSecond: 50, burst: 10 },
        chaos: { seed: 7, errorRate: 0.1, dropRate: 0.05, stallRate: 0.01, latencyMs: 20 },
        bodyLimit: "1mb"
      }
    })
  })

  it("refuses bad flags with a message naming them", () => {
    const refused = (args: ReadonlyArray<string>) => {
      try {
        parseServerArgs(args)
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError)
        return (error as Error).message
      }
      return expect.unreachable(`accepted ${args.join(" ")}`)
    }
    expect(refused(["--prot", "1"])).toContain("--prot")
    expect(refused(["--port", "http"])).toBe('--port: expected a number, got "http"')
    expect(refused(["--port", "70000"])).toBe("--port: expected 0–65535, got 70000")
    expect(refused(["--port", "1.5"])).toBe("--port: expected 0–65535, got 1.5")
    expect(refused(["--chaos-error-rate", "0.5"])).toBe("--chaos-* options need --chaos-seed")
    expect(refused(["--rate-limit-burst", "3"])).toBe("--rate-limit-burst needs --rate-limit")
    expect(refused(["--chaos-seed", "1", "--chaos-drop-rate", "lots"])).toBe(
      '--chaos-drop-rate: expected a number, got "lots"'
    )
  })
})

// The entry as users (and the benchmarks) run it: a child process on 127.0.0.1.
describe("standalone server process", () => {
  let child: ChildEmulator | undefined
  afterEach(() => {
    child?.child.kill("SIGKILL")
  })

  it("prints its URL, the demo seed and the admin token, serves, and exits 0 on SIGTERM", async () => {
    child = await startServer(["--port", "0", "--chaos-seed", "1", "--rate-limit", "1000"])
    expect(child.lines[0]).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/)
    await expect.poll(() => child!.lines.some((line) => line.startsWith("inspection API:"))).toBe(true)
    for (const { id, token } of DEMO_SEED.installations) {
      expect(child.lines).toContain(`  ${id}  token: ${token}`)
    }
    const adminToken = /admin token: (\S+)$/.exec(
      child.lines.find((line) => line.includes("admin token")) ?? ""
    )?.[1]
    const [demo] = DEMO_SEED.installations
    const res = await fetch(`${child.url}/v1/installations/${demo!.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${demo!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "ready" })
    })
    expect(res.status).toBe(204)
    expect(res.headers.get("x-ratelimit-limit")).toBe("1000")
    const installation = await fetch(`${child.url}/_emulator/installations/${demo!.id}`, {
      headers: { authorization: `Bearer ${adminToken}` }
    })
    expect(await installation.json()).toMatchObject({ id: demo!.id, status: "ready" })
    child.child.kill("SIGTERM")
    expect(await child.exited).toEqual({ code: 0, signal: null })
  }, 30_000)

  it("exits 2 with the reason on a bad flag, and 1 on a bad seed file", async () => {
    const usage = await runServer(["--port", "http"])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('--port: expected a number, got "http"')
    const missing = await runServer(["--seed", "/nonexistent/seed.json"])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("seed file /nonexistent/seed.json")
  }, 30_000)
})
