import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { EmulatorServer } from "@marketplace-kit/express"
import { describe } from "vitest"
import { envFor, INSTALLATION, TOKEN, emulatorTest as test } from "./support/Emulator.js"
import { json, mkit } from "./support/Mkit.js"

const sender =
  (server: EmulatorServer) =>
  (args: ReadonlyArray<string>, env: Record<string, string> = envFor(server)) =>
    mkit(["event", "send", ...args], { env })

describe.concurrent("mkit event send", () => {
  // The first read of the global `Response` (or `Headers`…), or on Node ≥ 22 an ESM import of node:http,
  // makes Node load its bundled undici: about 15 ms of a CLI start that sends over node:http.
  test("does not load Node's bundled fetch (undici)", async ({ server, expect }) => {
    const probe = join(mkdtempSync(join(tmpdir(), "mkit-undici-")), "probe.mjs")
    writeFileSync(
      probe,
      'process.on("exit", () => process.stderr.write("undici: " + process.moduleLoadList.some((m) => m.includes("undici")) + "\\n"))\n'
    )
    const result = await mkit(["event", "send", INSTALLATION, "installation.updated"], {
      env: { ...envFor(server), NODE_OPTIONS: `--import=${probe}` }
    })
    expect(result).toMatchObject({ code: 0, stderr: "undici: false\n" })
  })

  test("sends both event types", async ({ server, expect }) => {
    const send = sender(server)
    const updated = await send([INSTALLATION, "installation.updated", "--billing-plan-id", "pro"])
    expect(updated).toMatchObject({ code: 0, stderr: "" })
    expect(updated.stdout).toBe(
      `sent installation.updated event for installation ${INSTALLATION} (POST /v1/installations/${INSTALLATION}/events → 201)\n`
    )
    const bare = await send([INSTALLATION, "installation.updated"])
    expect(bare.code).toBe(0)
    const resource = await send([
      INSTALLATION,
      "resource.updated",
      "--resource-id",
      "db_1",
      "--product-id",
      "pg",
      "--json"
    ])
    expect(resource).toMatchObject({ code: 0, stderr: "" })
    expect(json(resource)).toEqual({
      ok: true,
      operation: "createEvent",
      id: INSTALLATION,
      method: "POST",
      path: `/v1/installations/${INSTALLATION}/events`,
      status: 201,
      body: { event: { type: "resource.updated", resourceId: "db_1", productId: "pg" } }
    })
    expect(
      server.emulator.state.events().map((entry) => entry.operation === "createEvent" && entry.event)
    ).toEqual([
      { type: "installation.updated", billingPlanId: "pro" },
      { type: "installation.updated" },
      { type: "resource.updated", resourceId: "db_1", productId: "pg" }
    ])
  })

  test("names the missing or misplaced field and its flag, exits 2 and sends nothing", async ({
    server,
    expect
  }) => {
    const send = sender(server)
    const missing = await send([INSTALLATION, "resource.updated"])
    expect(missing).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "mkit: invalid event: resourceId (--resource-id): required (expected string)\n"
    })
    const misplaced = await send([INSTALLATION, "installation.updated", "--resource-id", "db_1"])
    expect(misplaced.stderr).toBe("mkit: invalid event: resourceId (--resource-id): unknown field\n")
    const unknown = await send([INSTALLATION, "deployment.created", "--json"])
    expect(unknown.code).toBe(2)
    expect(json(unknown)).toMatchObject({
      error: {
        type: "UsageError",
        issues: [
          {
            path: "type",
            flag: "<type>",
            message: 'expected "installation.updated" | "resource.updated", received "deployment.created"'
          }
        ]
      }
    })
    expect(server.emulator.state.sequence).toBe(0)
  })

  test("plans the request on --dry-run with the token redacted", async ({ server, expect }) => {
    const result = await sender(server)([
      INSTALLATION,
      "resource.updated",
      "--resource-id",
      "r",
      "--dry-run",
      "--json"
    ])
    expect(result.code).toBe(0)
    expect(json(result)).toMatchObject({
      dryRun: true,
      request: {
        method: "POST",
        url: `${server.url}/v1/installations/${INSTALLATION}/events`,
        headers: { authorization: "Bearer <redacted>" },
        body: { event: { type: "resource.updated", resourceId: "r" } }
      }
    })
    expect(result.stdout).not.toContain(TOKEN)
    expect(server.emulator.state.sequence).toBe(0)
  })

  test("exits 4 for an unknown installation", async ({ server, expect }) => {
    const missing = await sender(server)(["icfg_gone", "installation.updated"])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/^mkit: POST \/v1\/installations\/icfg_gone\/events → 404 not_found/)
  })
})
