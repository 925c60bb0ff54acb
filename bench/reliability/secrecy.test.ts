import { execFile, spawn } from "node:child_process"
import { once } from "node:events"
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type EmulatorServer, startEmulatorServer } from "@marketplace-kit/express"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// Every CLI command and error path, run with a recognisable token: the token must appear in no
// stdout, stderr or file that any of them writes.

const TOKEN = "mkit-SECRET-7f3a9c1e5b"
const ID = "icfg_secrecy"
const MKIT = new URL("../../apps/cli/dist/mkit.mjs", import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), "mkit-secrecy-"))

let ok: EmulatorServer
let limited: EmulatorServer
let failing: EmulatorServer
let stalling: EmulatorServer
let closedPort: number

beforeAll(async () => {
  const installations = [
    { id: ID, token: TOKEN },
    { id: "icfg_other", token: "someone-elses-token" }
  ]
  ok = await startEmulatorServer({ installations, dataFile: join(dir, "emulator.jsonl") })
  limited = await startEmulatorServer({ installations, rateLimit: { requestsPerSecond: 0.01, burst: 1 } })
  // Spend the bucket's only token, so every CLI call to `limited` meets a 429 with a long Retry-After.
  await fetch(`${limited.url}/v1/installations/${ID}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: "{}"
  })
  failing = await startEmulatorServer({ installations, chaos: { seed: 1, errorRate: 1 } })
  stalling = await startEmulatorServer({ installations, chaos: { seed: 1, stallRate: 1, stallMs: 5000 } })
  const probe = createServer().listen(0, "127.0.0.1")
  await once(probe, "listening")
  closedPort = (probe.address() as { port: number }).port
  probe.close()
})
afterAll(async () => {
  await Promise.all([ok, limited, failing, stalling].map((server) => server.close()))
})

const run = (args: ReadonlyArray<string>, viaEnv: boolean, stdin?: string) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    const env = { ...process.env, NO_COLOR: "1", ...(viaEnv ? { VERCEL_TOKEN: TOKEN } : {}) }
    const child = execFile(
      process.execPath,
      [MKIT, ...args, ...(viaEnv ? [] : ["--token", TOKEN])],
      { env, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number | null) : 0, out: stdout + stderr })
    )
    child.stdin?.end(stdin ?? "")
  })

const bulkFile = join(dir, "ops.ndjson")
writeFileSync(
  bulkFile,
  [
    JSON.stringify({ op: "update", id: ID, body: { status: "ready" } }),
    JSON.stringify({ op: "event", id: ID, event: { type: "installation.updated" } }),
    JSON.stringify({ op: "event", id: "icfg_missing", event: { type: "installation.updated" } }),
    "{not json",
    JSON.stringify({ op: "update", id: ID, body: { status: "gone" } })
  ].join("\n")
)

const base = (server: EmulatorServer) => ["--base-url", server.url, "--retry-delay", "10ms"]
const cases = (): Array<{ name: string; args: ReadonlyArray<string>; exit: number; stdin?: string }> => [
  { name: "update ok", args: ["installation", "update", ID, "--status", "ready", ...base(ok)], exit: 0 },
  {
    name: "update ok --json --verbose",
    args: ["installation", "update", ID, "--external-id", "x", "--json", "--verbose", ...base(ok)],
    exit: 0
  },
  {
    name: "update --dry-run",
    args: ["installation", "update", ID, "--clear-notification", "--dry-run", ...base(ok)],
    exit: 0
  },
  {
    name: "update --dry-run --json",
    args: ["installation", "update", ID, "--status", "ready", "--dry-run", "--json", ...base(ok)],
    exit: 0
  },
  {
    name: "update --body -",
    args: ["installation", "update", ID, "--body", "-", "--verbose", ...base(ok)],
    exit: 0,
    stdin: '{"notification":"hi"}'
  },
  {
    name: "event ok",
    args: ["event", "send", ID, "resource.updated", "--resource-id", "r1", "--verbose", ...base(ok)],
    exit: 0
  },
  {
    name: "validation error",
    args: ["installation", "update", ID, "--status", "gone", ...base(ok)],
    exit: 2
  },
  {
    name: "validation error --json",
    args: ["event", "send", ID, "resource.updated", "--json", ...base(ok)],
    exit: 2
  },
  { name: "usage error", args: ["installation", "update", ID, "--no-such-flag", ...base(ok)], exit: 2 },
  {
    name: "403",
    args: ["installation", "update", "icfg_other", "--status", "ready", "--verbose", ...base(ok)],
    exit: 3
  },
  {
    name: "403 --json",
    args: ["installation", "update", "icfg_other", "--status", "ready", "--json", ...base(ok)],
    exit: 3
  },
  {
    name: "404",
    args: ["event", "send", "icfg_missing", "installation.updated", "--verbose", ...base(ok)],
    exit: 4
  },
  {
    name: "429 after retries",
    args: [
      "installation",
      "update",
      ID,
      "--status",
      "ready",
      "--retries",
      "1",
      "--verbose",
      ...base(limited)
    ],
    exit: 5
  },
  {
    name: "5xx after retries",
    args: [
      "installation",
      "update",
      ID,
      "--status",
      "ready",
      "--retries",
      "2",
      "--verbose",
      "--json",
      ...base(failing)
    ],
    exit: 6
  },
  {
    name: "timeout",
    args: [
      "installation",
      "update",
      ID,
      "--status",
      "ready",
      "--retries",
      "0",
      "--timeout",
      "200ms",
      "--verbose",
      ...base(stalling)
    ],
    exit: 6
  },
  {
    name: "connection refused",
    args: [
      "event",
      "send",
      ID,
      "installation.updated",
      "--retries",
      "1",
      "--verbose",
      "--base-url",
      `http://127.0.0.1:${closedPort}`,
      "--retry-delay",
      "10ms"
    ],
    exit: 6
  },
  {
    name: "bulk with failures",
    args: ["bulk", bulkFile, "--failed", join(dir, "failed.ndjson"), "--verbose", ...base(ok)],
    exit: 1
  },
  {
    name: "bulk --json --dry-run",
    args: ["bulk", "-", "--json", "--dry-run", ...base(ok)],
    exit: 0,
    stdin: readFileSync(bulkFile, "utf8").split("\n")[0]
  }
]

describe("secrecy", () => {
  it("never prints or writes the token, on any command or error path, from --token or VERCEL_TOKEN", async () => {
    const leaks: Array<string> = []
    const exits: Array<string> = []
    for (const viaEnv of [false, true]) {
      for (const { name, args, exit, stdin } of cases()) {
        const { code, out } = await run(args, viaEnv, stdin)
        exits.push(`${name}: ${code}`)
        expect(`${name}: ${code}`, out).toBe(`${name}: ${exit}`)
        if (out.includes(TOKEN)) leaks.push(`${name} (${viaEnv ? "env" : "flag"}) printed it`)
      }
    }

    // The emulator the user runs (`mkit serve`) with the token in its seed prints only ids.
    writeFileSync(join(dir, "seed.json"), JSON.stringify({ installations: [{ id: ID, token: TOKEN }] }))
    const serve = spawn(process.execPath, [MKIT, "serve", "--port", "0", "--seed", join(dir, "seed.json")], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let served = ""
    serve.stdout.on("data", (chunk: Buffer) => {
      served += chunk
    })
    serve.stderr.on("data", (chunk: Buffer) => {
      served += chunk
    })
    await expect.poll(() => served, { timeout: 15_000 }).toContain("listening on http://127.0.0.1:")
    serve.kill("SIGTERM")
    await once(serve, "exit")
    if (served.includes(TOKEN)) leaks.push("mkit serve printed it")

    for (const file of readdirSync(dir).filter((name) => name !== "seed.json")) {
      if (readFileSync(join(dir, file), "utf8").includes(TOKEN)) leaks.push(`${file} contains it`)
    }
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(["failed.ndjson", "emulator.jsonl"]))
    expect(leaks).toEqual([])
  }, 180_000)
})
