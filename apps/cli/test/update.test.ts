import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { EmulatorServer } from "@marketplace-kit/express"
import { describe } from "vitest"
import { envFor, INSTALLATION, OTHER_TOKEN, TOKEN, emulatorTest as test } from "./support/Emulator.js"
import { json, mkit, type Result } from "./support/Mkit.js"

const dir = mkdtempSync(join(tmpdir(), "mkit-update-"))
const updater =
  (server: EmulatorServer) =>
  (args: ReadonlyArray<string>, options: { env?: Record<string, string>; input?: string } = {}) =>
    mkit(["installation", "update", ...args], { env: options.env ?? envFor(server), input: options.input })
const noToken = (result: Result) => !result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN)

describe.concurrent("mkit installation update", () => {
  test("sets a billing plan from flags", async ({ server, expect }) => {
    const update = updater(server)
    const result = await update([
      INSTALLATION,
      ...[
        "--plan-id",
        "pro",
        "--plan-type",
        "subscription",
        "--plan-name",
        "Pro",
        "--plan-cost",
        "$20/month"
      ],
      ...["--plan-description", "For teams", "--plan-effective-date", "2025-01-01T00:00:00Z"],
      ...[
        "--payment-method-required",
        "--plan-detail",
        "Seats=10",
        "--plan-detail",
        "SSO",
        "--plan-highlight",
        "a=b=c"
      ]
    ])
    expect(result).toMatchObject({ code: 0, stderr: "" })
    expect(result.stdout).toBe(
      `updated installation ${INSTALLATION} (PATCH /v1/installations/${INSTALLATION} → 204)\n`
    )
    expect(server.emulator.state.installation(INSTALLATION)?.billingPlan).toEqual({
      id: "pro",
      type: "subscription",
      name: "Pro",
      cost: "$20/month",
      description: "For teams",
      effectiveDate: "2025-01-01T00:00:00Z",
      paymentMethodRequired: true,
      details: [{ label: "Seats", value: "10" }, { label: "SSO" }],
      highlightedDetails: [{ label: "a", value: "b=c" }]
    })
  })

  test("sets, replaces and clears a notification", async ({ server, expect }) => {
    const update = updater(server)
    await update([
      INSTALLATION,
      "--notify-level",
      "warn",
      "--notify-title",
      "Usage at 90%",
      "--notify-href",
      "https://x.dev/u"
    ])
    expect(server.emulator.state.installation(INSTALLATION)?.notification).toEqual({
      level: "warn",
      title: "Usage at 90%",
      href: "https://x.dev/u"
    })
    expect((await update([INSTALLATION, "--notify-text", "plain words"])).code).toBe(0)
    expect(server.emulator.state.installation(INSTALLATION)?.notification).toBe("plain words")
    expect((await update([INSTALLATION, "--clear-notification"])).code).toBe(0)
    expect(server.emulator.state.installation(INSTALLATION)?.notification).toBeUndefined()
    expect(
      server.emulator.state.events().map((entry) => entry.operation === "updateInstallation" && entry.body)
    ).toEqual([
      { notification: { level: "warn", title: "Usage at 90%", href: "https://x.dev/u" } },
      { notification: "plain words" },
      { notification: null }
    ])
  })

  test("sets the status and external id", async ({ server, expect }) => {
    const update = updater(server)
    expect((await update([INSTALLATION, "--status", "suspended", "--external-id", "acct_9"])).code).toBe(0)
    expect(server.emulator.state.installation(INSTALLATION)).toMatchObject({
      status: "suspended",
      externalId: "acct_9"
    })
  })

  test("sends --body from a file and from stdin as it is", async ({ server, expect }) => {
    const update = updater(server)
    const file = join(dir, "body.json")
    writeFileSync(
      file,
      JSON.stringify({ status: "ready", billingPlan: { id: "p", type: "prepayment", name: "P", extra: 1 } })
    )
    expect((await update([INSTALLATION, "--body", file])).code).toBe(0)
    expect(server.emulator.state.installation(INSTALLATION)?.billingPlan).toEqual({
      id: "p",
      type: "prepayment",
      name: "P",
      extra: 1
    })
    expect((await update([INSTALLATION, "--body", "-"], { input: '{"externalId":"from-stdin"}' })).code).toBe(
      0
    )
    expect(server.emulator.state.installation(INSTALLATION)?.externalId).toBe("from-stdin")
  })

  test("reads the plan from --plan-file and blames the file for its problems", async ({ server, expect }) => {
    const update = updater(server)
    const good = join(dir, "plan.json")
    writeFileSync(good, JSON.stringify({ id: "team", type: "subscription", name: "Team" }))
    expect((await update([INSTALLATION, "--plan-file", good, "--status", "ready"])).code).toBe(0)
    expect(server.emulator.state.installation(INSTALLATION)).toMatchObject({
      billingPlan: { id: "team" },
      status: "ready"
    })
    const bad = join(dir, "bad-plan.json")
    writeFileSync(bad, JSON.stringify({ id: "team", type: "yearly", name: "Team" }))
    const result = await update([INSTALLATION, "--plan-file", bad])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'mkit: invalid flags: billingPlan.type (--plan-file): expected "prepayment" | "subscription", received "yearly"\n'
    )
  })

  test("names the field and the flag of every problem, exits 2 and sends nothing", async ({
    server,
    expect
  }) => {
    const update = updater(server)
    const result = await update([
      INSTALLATION,
      "--plan-id",
      "pro",
      "--plan-type",
      "monthly",
      "--notify-level",
      "loud",
      "--notify-title",
      "t",
      "--notify-href",
      "ftp://x"
    ])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    expect(result.stderr).toContain(
      'billingPlan.type (--plan-type): expected "prepayment" | "subscription", received "monthly"'
    )
    expect(result.stderr).toContain("billingPlan.name (--plan-name): required")
    expect(result.stderr).toContain(
      'notification.level (--notify-level): expected "info" | "warn" | "error", received "loud"'
    )
    expect(result.stderr).toContain("notification.href (--notify-href): expected an absolute http(s) URL")
    expect(server.emulator.state.sequence).toBe(0)
  })

  test("returns validation problems as one JSON object with --json", async ({ server, expect }) => {
    const update = updater(server)
    const result = await update([INSTALLATION, "--status", "sleeping", "--json"])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe("")
    expect(json(result)).toEqual({
      ok: false,
      exitCode: 2,
      error: {
        type: "UsageError",
        message: expect.stringContaining("status (--status): expected"),
        issues: [
          { path: "status", flag: "--status", message: expect.stringContaining('received "sleeping"') }
        ]
      }
    })
  })

  test("refuses conflicting or missing body flags", async ({ server, expect }) => {
    const update = updater(server)
    const conflict = await update([INSTALLATION, "--body", "-", "--status", "ready"], { input: "{}" })
    expect(conflict).toMatchObject({ code: 2, stderr: "mkit: --body cannot be combined with --status\n" })
    const two = await update([INSTALLATION, "--notify-text", "a", "--clear-notification"])
    expect(two).toMatchObject({
      code: 2,
      stderr: "mkit: choose one notification form, not --notify-text and --clear-notification\n"
    })
    const nothing = await update([INSTALLATION])
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toMatch(/^mkit: nothing to update: give --body/)
    const notJson = await update([INSTALLATION, "--body", "-"], { input: "{nope" })
    expect(notJson.code).toBe(2)
    expect(notJson.stderr).toMatch(/^mkit: --body: standard input is not valid JSON: /)
    const missing = await update([INSTALLATION, "--body", join(dir, "missing.json")])
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("cannot read") })
    expect(server.emulator.state.sequence).toBe(0)
  })

  test("prints the success as one JSON object with --json", async ({ server, expect }) => {
    const update = updater(server)
    const result = await update([INSTALLATION, "--status", "ready", "--json"])
    expect(result).toMatchObject({ code: 0, stderr: "" })
    expect(json(result)).toEqual({
      ok: true,
      operation: "updateInstallation",
      id: INSTALLATION,
      method: "PATCH",
      path: `/v1/installations/${INSTALLATION}`,
      status: 204,
      body: { status: "ready" }
    })
  })

  test("exits 4 on an unknown installation, with Vercel's code, the request id and attempts on one line", async ({
    server,
    expect
  }) => {
    const update = updater(server)
    const result = await update(["icfg_nobody", "--status", "ready"])
    expect(result.code).toBe(4)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(
      /^mkit: PATCH \/v1\/installations\/icfg_nobody → 404 not_found: Installation "icfg_nobody" not found \(request id emu1::[\w-]+, 1 attempt\)\n$/
    )
    const asJson = await update(["icfg_nobody", "--status", "ready", "--json"])
    expect(json(asJson)).toMatchObject({
      ok: false,
      exitCode: 4,
      error: {
        type: "NotFound",
        status: 404,
        code: "not_found",
        attempts: 1,
        requestId: expect.stringMatching(/^emu1::/)
      }
    })
  })

  test("exits 1 on any other client error, such as a body over the server's limit", async ({
    server,
    expect
  }) => {
    const update = updater(server)
    const body = JSON.stringify({ externalId: "x".repeat(200_000) })
    const result = await update([INSTALLATION, "--body", "-", "--json"], { input: body })
    expect(result.code).toBe(1)
    expect(json(result)).toMatchObject({
      ok: false,
      exitCode: 1,
      error: { type: "ClientError", status: 413 }
    })
  })

  test("exits 3 when the token may not act on the installation and 2 when there is no token", async ({
    server,
    expect
  }) => {
    const update = updater(server)
    const forbidden = await update([INSTALLATION, "--status", "ready"], { env: envFor(server, OTHER_TOKEN) })
    expect(forbidden.code).toBe(3)
    expect(forbidden.stderr).toContain("403 forbidden")
    const tokenless = await update([INSTALLATION, "--status", "ready"], {
      env: { VERCEL_API_URL: server.url }
    })
    expect(tokenless).toMatchObject({
      code: 2,
      stderr: "mkit: no token: pass --token or set VERCEL_TOKEN (or use --dry-run)\n"
    })
  })

  test("takes --token and --base-url over the environment", async ({ server, expect }) => {
    const update = updater(server)
    const result = await update(
      [INSTALLATION, "--status", "ready", "--token", TOKEN, "--base-url", server.url],
      {
        env: { VERCEL_TOKEN: OTHER_TOKEN, VERCEL_API_URL: "http://127.0.0.1:9" }
      }
    )
    expect(result.code).toBe(0)
    expect(noToken(result)).toBe(true)
  })

  test("prints the request with the token redacted on --dry-run, and sends nothing", async ({
    server,
    expect
  }) => {
    const update = updater(server)
    const human = await update([INSTALLATION, "--status", "ready", "--dry-run"])
    expect(human.code).toBe(0)
    expect(human.stdout).toBe(
      [
        `PATCH ${server.url}/v1/installations/${INSTALLATION}`,
        "accept: application/json",
        "user-agent: mkit/0.0.0",
        "authorization: Bearer <redacted>",
        "content-type: application/json",
        "",
        '{\n  "status": "ready"\n}',
        "",
        "(dry run: nothing was sent)\n"
      ].join("\n")
    )
    const machine = await update([INSTALLATION, "--status", "ready", "--dry-run", "--json", "--token", TOKEN])
    expect(json(machine)).toEqual({
      ok: true,
      dryRun: true,
      request: {
        operation: "updateInstallation",
        method: "PATCH",
        url: `${server.url}/v1/installations/${INSTALLATION}`,
        path: `/v1/installations/${INSTALLATION}`,
        headers: {
          accept: "application/json",
          "user-agent": "mkit/0.0.0",
          authorization: "Bearer <redacted>",
          "content-type": "application/json"
        },
        body: { status: "ready" }
      }
    })
    expect([human, machine].every(noToken)).toBe(true)
    const tokenless = await update([INSTALLATION, "--status", "ready", "--dry-run"], { env: {} })
    expect(tokenless.stdout).toContain("PATCH https://api.vercel.com/v1/installations/")
    expect(server.emulator.state.sequence).toBe(0)
  })

  test("logs requests and every failed attempt with --verbose, never the token", async ({
    server,
    expect
  }) => {
    const update = updater(server)
    const ok = await update([INSTALLATION, "--status", "ready", "--verbose"])
    expect(ok.code).toBe(0)
    expect(ok.stderr).toMatch(
      new RegExp(`^mkit: PATCH ${server.url}/v1/installations/${INSTALLATION}\nmkit: 204 in \\d+ ms\n$`)
    )
    const down = await update(
      [INSTALLATION, "--status", "ready", "--verbose", "--retries", "2", "--retry-delay", "5ms"],
      {
        env: { VERCEL_API_URL: "http://127.0.0.1:9", VERCEL_TOKEN: TOKEN }
      }
    )
    expect(down.code).toBe(6)
    expect(down.stderr.match(/attempt \d failed/g)).toEqual([
      "attempt 1 failed",
      "attempt 2 failed",
      "attempt 3 failed"
    ])
    expect(down.stderr).toMatch(
      /mkit: PATCH \/v1\/installations\/icfg_cli_test_1 → Transport error: .* \(3 attempts\)\n$/
    )
    expect([ok, down].every(noToken)).toBe(true)
  })

  test("refuses bad connection flags before sending", async ({ server, expect }) => {
    const update = updater(server)
    const timeout = await update([INSTALLATION, "--status", "ready", "--timeout", "soon"])
    expect(timeout).toMatchObject({
      code: 2,
      stderr: 'mkit: --timeout: expected a duration such as 500ms, 10s or 2m, received "soon"\n'
    })
    const retries = await update([INSTALLATION, "--status", "ready", "--retries", "-1"])
    expect(retries).toMatchObject({ code: 2, stderr: "mkit: --retries: expected 0 or more, received -1\n" })
    const url = await update([INSTALLATION, "--status", "ready", "--base-url", "ftp://example.com", "--json"])
    expect(json(url)).toMatchObject({
      exitCode: 2,
      error: { type: "ValidationError", issues: [{ path: "baseUrl" }] }
    })
    const id = await update(["a/b", "--status", "ready"])
    expect(id).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('integrationConfigurationId: must not contain "/"')
    })
    expect(server.emulator.state.sequence).toBe(0)
  })

  test("never prints the token, even when a parse error echoes the argument", async ({ server, expect }) => {
    const update = updater(server)
    const echoed = await update([INSTALLATION, "--token", TOKEN, TOKEN], { env: {} })
    expect(echoed.code).toBe(2)
    expect(echoed.stderr).toContain("Received unknown argument: '<redacted>'")
    const fromEnv = await update([INSTALLATION, TOKEN, "--json"])
    expect(fromEnv.code).toBe(2)
    expect([echoed, fromEnv].every(noToken)).toBe(true)
  })

  test("reports unknown flags and missing arguments as usage errors", async ({ server, expect }) => {
    const update = updater(server)
    const unknown = await update([INSTALLATION, "--plan-colour", "red"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("--plan-colour")
    const missing = await mkit(["installation", "update", "--json"])
    expect(missing.code).toBe(2)
    expect(json(missing)).toEqual({
      ok: false,
      exitCode: 2,
      error: { type: "UsageError", message: "Missing argument <id>" }
    })
  })
})
