import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { EmulatorServer } from "@marketplace-kit/express"
import { afterEach, describe, expect, it } from "vitest"
import { envFor, INSTALLATION, startEmulator } from "./support/Emulator.js"
import { MKIT, mkit } from "./support/Mkit.js"

const dir = mkdtempSync(join(tmpdir(), "mkit-bulk-resume-"))
let files = 0
let server: EmulatorServer | undefined
const children: Array<ChildProcess> = []

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL")
  await server?.close()
  server = undefined
})

/** `count` lines, each a PATCH with its own externalId, so the emulator's log says which lines landed. */
const opsFile = (count: number) => {
  const path = join(dir, `ops-${++files}.ndjson`)
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ op: "update", id: INSTALLATION, body: { externalId: `line-${i + 1}` } })
  )
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}

const start = (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const child = spawn(process.execPath, [MKIT, ...args], {
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  children.push(child)
  // Only the tail is kept: a dry run of a big file prints a lot, and the summary comes last.
  let stdout = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout = (stdout + chunk).slice(-64 * 1024)
  })
  const exited = once(child, "close").then(([code, signal]) => ({ code, signal, stdout: () => stdout }))
  return { child, exited }
}

const until = async (check: () => boolean, timeoutMs = 60_000) => {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** How often each line (by its externalId) reached the emulator. */
const landed = (emulator: EmulatorServer) => {
  const counts = new Map<string, number>()
  for (const entry of emulator.emulator.state.events()) {
    if (entry.operation !== "updateInstallation") continue
    counts.set(entry.body.externalId!, (counts.get(entry.body.externalId!) ?? 0) + 1)
  }
  return counts
}

describe("mkit bulk resumes", () => {
  const total = 300
  const concurrency = 8
  for (const [signal, expectedCode] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGKILL", null]
  ] as const) {
    it(`after ${signal} mid-run: the same command finishes, every line applied, duplicates ≤ concurrency`, async () => {
      server = await startEmulator({ chaos: { seed: 3, latencyMs: { min: 5, max: 20 } } })
      const file = opsFile(total)
      const failed = join(dir, `failed-${++files}.ndjson`)
      writeFileSync(failed, "stale from an earlier run\n")
      const args = ["bulk", file, "--concurrency", String(concurrency), "--failed", failed]
      const first = start(args, envFor(server))
      await until(() => server!.emulator.state.sequence >= 60)
      first.child.kill(signal)
      const stopped = await first.exited
      if (expectedCode === null) {
        expect(stopped.signal).toBe("SIGKILL")
      } else {
        expect(stopped.code).toBe(expectedCode)
        expect(stopped.stdout()).toMatch(new RegExp(`interrupted by ${signal}: \\d+ lines left`))
        // The summary's --failed file replaced the stale one, though nothing failed.
        expect(readFileSync(failed, "utf8")).toBe("")
      }
      expect(server.emulator.state.sequence).toBeLessThan(total)
      expect(existsSync(`${file}.mkit-state`)).toBe(true)

      const resumed = await mkit([...args, "--json"], { env: envFor(server), timeoutMs: 60_000 })
      expect(resumed.code, resumed.stderr).toBe(0)
      const summary = JSON.parse(resumed.stdout) as Record<string, number>
      expect(summary).toMatchObject({ ok: true, total, succeeded: total, failed: 0, pending: 0 })
      expect(summary.skipped).toBeGreaterThan(0)
      const counts = landed(server)
      for (let line = 1; line <= total; line++)
        expect(counts.get(`line-${line}`), `line ${line}`).toBeGreaterThan(0)
      const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0)
      expect(duplicates).toBeLessThanOrEqual(concurrency)
      expect(duplicates).toBeLessThanOrEqual(summary.resent!)
      // Done: the state file is gone, so the next run of the command starts afresh.
      expect(existsSync(`${file}.mkit-state`)).toBe(false)
    }, 90_000)
  }

  it("sends nothing when --failed cannot be written, or names the input file", async () => {
    server = await startEmulator()
    const file = opsFile(5)
    const missingDir = await mkit(["bulk", file, "--failed", join(dir, "no-such-dir", "failed.ndjson")], {
      env: envFor(server)
    })
    expect(missingDir).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^mkit: --failed: cannot write .*ENOENT/)
    })
    const directory = await mkit(["bulk", file, "--failed", dir], { env: envFor(server) })
    expect(directory).toMatchObject({ code: 2, stderr: expect.stringContaining("is a directory") })
    const input = await mkit(["bulk", file, "--failed", file], { env: envFor(server) })
    expect(input).toMatchObject({ code: 2, stderr: "mkit: --failed: must not be the input file\n" })
    expect(server.emulator.state.sequence).toBe(0)
    expect(existsSync(`${file}.mkit-state`)).toBe(false)
  })
})

/** Runs mkit and samples its peak resident set (VmHWM) until it exits. */
const peakRss = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const run = start(args, env)
  let peakKb = 0
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${run.child.pid}/status`, "utf8")
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))
    } catch {
      // Exited between two samples.
    }
  }, 20)
  const result = await run.exited
  clearInterval(timer)
  return { ...result, peakMb: peakKb / 1024 }
}

describe.runIf(process.platform === "linux")("mkit bulk memory", () => {
  it("streams 300,000 lines under --dry-run with a peak RSS under 200 MB", async () => {
    const file = opsFile(300_000)
    const result = await peakRss(["bulk", file, "--dry-run", "--json"], {})
    expect(result.code).toBe(0)
    expect(result.stdout()).toMatch(/"ok":true,"exitCode":0,"total":300000,"succeeded":300000,.*\}\n$/)
    expect(result.peakMb).toBeGreaterThan(0)
    expect(result.peakMb).toBeLessThan(200)
  }, 120_000)

  it("sends 4,000 lines at --concurrency 64 with a peak RSS under 200 MB", async () => {
    server = await startEmulator()
    const file = opsFile(4000)
    const result = await peakRss(["bulk", file, "--concurrency", "64", "--json"], envFor(server))
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout())).toMatchObject({ ok: true, total: 4000, succeeded: 4000 })
    expect(server.emulator.state.sequence).toBe(4000)
    expect(result.peakMb).toBeLessThan(200)
  }, 120_000)
})
