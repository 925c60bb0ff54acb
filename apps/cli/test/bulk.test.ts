import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe } from "vitest"
import {
  envFor,
  INSTALLATION,
  OTHER_INSTALLATION,
  OTHER_TOKEN,
  startEmulator,
  TOKEN,
  emulatorTest as test
} from "./support/Emulator.js"
import { json, mkit } from "./support/Mkit.js"

const dir = mkdtempSync(join(tmpdir(), "mkit-bulk-"))
let files = 0
const file = (lines: ReadonlyArray<string>) => {
  const path = join(dir, `ops-${++files}.ndjson`)
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}
const failedFile = () => join(dir, `failed-${++files}.ndjson`)

const update = (id: string, body: unknown) => JSON.stringify({ op: "update", id, body })
const event = (id: string, event: unknown) => JSON.stringify({ op: "event", id, event })

/** `count` distinct, valid operations on the test installation, alternating updates and events. */
const operations = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    i % 2 === 0
      ? update(INSTALLATION, { externalId: `ext-${i}` })
      : event(INSTALLATION, { type: "resource.updated", resourceId: `res-${i}` })
  )

const MIXED = [
  update(INSTALLATION, { status: "ready" }),
  event(INSTALLATION, { type: "resource.updated", resourceId: "r1" }),
  "not json",
  "",
  update(INSTALLATION, { billingPlan: { id: "p", type: "monthly", name: "x" } }),
  JSON.stringify({ op: "delete", id: INSTALLATION }),
  update("icfg_missing", { status: "ready" }),
  JSON.stringify({ op: "event", id: INSTALLATION, event: { type: "installation.updated" }, extra: 1 }),
  event(INSTALLATION, { type: "installation.updated", billingPlanId: "pro" })
]

describe.concurrent("mkit bulk", () => {
  test("runs good lines, reports bad ones by line number and writes every failure verbatim", async ({
    server,
    expect
  }) => {
    const failed = failedFile()
    const result = await mkit(["bulk", file(MIXED), "--failed", failed], { env: envFor(server) })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^bulk: 8 lines · 3 ok · 1 failed · 4 invalid · [\d.]+ s\n5 lines written to .*\n$/
    )
    const problems = result.stderr.trim().split("\n").sort()
    expect(problems).toEqual([
      "line 3: invalid: invalid JSON: Unexpected token 'o', \"not json\" is not valid JSON",
      'line 5: invalid: body.billingPlan.type: expected "prepayment" | "subscription", received "monthly"',
      'line 6: invalid: op: expected "update" | "event", received "delete"',
      expect.stringMatching(
        /^line 7: PATCH \/v1\/installations\/icfg_missing → 404 not_found: .*\(request id emu1::.*, 1 attempt\)$/
      ),
      "line 8: invalid: extra: unknown field"
    ])
    expect(readFileSync(failed, "utf8")).toBe(
      `${[MIXED[2], MIXED[4], MIXED[5], MIXED[6], MIXED[7]].join("\n")}\n`
    )
    expect(server.emulator.state.events()).toHaveLength(3)
  })

  test("summarises as one JSON object with --json", async ({ server, expect }) => {
    const result = await mkit(["bulk", file(MIXED), "--json"], { env: envFor(server) })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe("")
    expect(json(result)).toEqual({
      ok: false,
      exitCode: 1,
      dryRun: false,
      total: 8,
      succeeded: 3,
      failed: 1,
      invalid: 4,
      skipped: 0,
      resent: 0,
      pending: 0,
      durationMs: expect.any(Number),
      failures: [
        { line: 3, error: { type: "InvalidLine", message: expect.stringContaining("invalid JSON") } },
        {
          line: 5,
          error: { type: "InvalidLine", message: expect.stringContaining("body.billingPlan.type") }
        },
        { line: 6, error: { type: "InvalidLine", message: expect.stringContaining("op:") } },
        {
          line: 7,
          error: expect.objectContaining({ type: "NotFound", status: 404, code: "not_found", attempts: 1 })
        },
        { line: 8, error: { type: "InvalidLine", message: "extra: unknown field" } }
      ]
    })
  })

  test("reads stdin, and exits with the failures' own code when they all failed alike", async ({
    server,
    expect
  }) => {
    const lines = [update("icfg_a", { status: "ready" }), update("icfg_b", { status: "ready" })].join("\n")
    const noState = await mkit(["bulk", "-"], { env: envFor(server), input: lines })
    expect(noState).toMatchObject({ code: 2, stderr: expect.stringContaining("--state: required") })
    const result = await mkit(["bulk", "-", "--state", join(dir, `stdin-${++files}.state`)], {
      env: envFor(server),
      input: lines
    })
    expect(result.code).toBe(4)
    const invalid = await mkit(["bulk", "-", "--state", join(dir, `stdin-${++files}.state`)], {
      env: envFor(server),
      input: "[]\n42\n"
    })
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toBe(
      "line 1: invalid: expected a JSON object, received array\nline 2: invalid: expected a JSON object, received 42\n"
    )
    // Flags after the stdin marker, as `mkit bulk --help` shows them.
    const planned = await mkit(["bulk", "-", "--dry-run", "--json", "--concurrency", "2"], {
      env: envFor(server),
      input: lines
    })
    expect(planned.code).toBe(0)
    expect(JSON.parse(planned.stdout)).toMatchObject({ ok: true, dryRun: true, total: 2 })
  })

  test("re-runs its failed file as it is", async ({ server, expect }) => {
    const first = failedFile()
    const ops = [update(INSTALLATION, { status: "ready" }), update(OTHER_INSTALLATION, { status: "ready" })]
    const denied = await mkit(["bulk", file(ops), "--failed", first], { env: envFor(server, OTHER_TOKEN) })
    expect(denied.code).toBe(3)
    expect(readFileSync(first, "utf8")).toBe(`${ops[0]}\n`)
    const second = failedFile()
    const rerun = await mkit(["bulk", first, "--failed", second], { env: envFor(server) })
    expect(rerun.code).toBe(0)
    expect(readFileSync(second, "utf8")).toBe("")
    expect(server.emulator.state.installation(INSTALLATION)?.status).toBe("ready")
  })

  test("validates and plans every line on --dry-run without sending or showing the token", async ({
    server,
    expect
  }) => {
    const result = await mkit(["bulk", file(operations(3)), "--dry-run", "--json"], { env: envFor(server) })
    expect(result.code).toBe(0)
    const summary = json(result)
    expect(summary).toMatchObject({ ok: true, dryRun: true, total: 3, succeeded: 3, failures: [] })
    expect(summary.requests).toEqual([
      expect.objectContaining({
        line: 1,
        request: expect.objectContaining({
          method: "PATCH",
          headers: expect.objectContaining({ authorization: "Bearer <redacted>" })
        })
      }),
      expect.objectContaining({ line: 2, request: expect.objectContaining({ method: "POST" }) }),
      expect.objectContaining({ line: 3 })
    ])
    expect(result.stdout).not.toContain(TOKEN)
    expect(server.emulator.state.sequence).toBe(0)
  })

  test("refuses a concurrency below 1 and an unreadable file", async ({ server, expect }) => {
    const zero = await mkit(["bulk", file(operations(1)), "--concurrency", "0"], { env: envFor(server) })
    expect(zero).toMatchObject({ code: 2, stderr: "mkit: --concurrency: expected 1 to 256, received 0\n" })
    const missing = await mkit(["bulk", join(dir, "nope.ndjson")], { env: envFor(server) })
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^mkit: <file>: cannot read .*nope\.ndjson: ENOENT/)
    })
  })

  test("delivers every line through a rate-limited emulator", async ({ expect }) => {
    const server = await startEmulator({ rateLimit: { requestsPerSecond: 25, burst: 5 } })
    try {
      const failed = failedFile()
      const result = await mkit(["bulk", file(operations(30)), "--failed", failed, "--retries", "10"], {
        env: envFor(server)
      })
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^bulk: 30 lines · 30 ok · 0 failed · 0 invalid/)
      expect(readFileSync(failed, "utf8")).toBe("")
      expect(server.emulator.state.events()).toHaveLength(30)
    } finally {
      await server.close()
    }
  })

  test("delivers every line through a chaos emulator, by retrying", async ({ expect }) => {
    const answers: Array<string> = []
    const server = await startEmulator({
      chaos: { seed: 7, errorRate: 0.2, dropRate: 0.1, stallRate: 0.05, stallMs: 3000 },
      log: (line) => answers.push(line)
    })
    try {
      const failed = failedFile()
      const result = await mkit(
        ["bulk", file(operations(40)), "--failed", failed, "--concurrency", "8"].concat([
          "--timeout",
          "1s",
          "--retries",
          "8",
          "--retry-delay",
          "5ms"
        ]),
        { env: envFor(server) }
      )
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^bulk: 40 lines · 40 ok · 0 failed · 0 invalid/)
      expect(readFileSync(failed, "utf8")).toBe("")
      // At least once: an attempt that timed out may still have been applied (both operations are safe to repeat).
      const log = server.emulator.state.events()
      expect(log.length).toBeGreaterThanOrEqual(40)
      const keys = log.map((entry) =>
        entry.operation === "updateInstallation"
          ? entry.body.externalId
          : entry.event.type === "resource.updated" && entry.event.resourceId
      )
      expect(new Set(keys).size).toBe(40)
      expect(answers.filter((line) => / (50[023]|dropped) /.test(line)).length).toBeGreaterThan(0)
    } finally {
      await server.close()
    }
  })
})
