import { spawn } from "node:child_process"
import { once } from "node:events"
import { createEventJsonSchema, updateInstallationJsonSchema } from "@marketplace-kit/core/json-schema"
import { DEMO_SEED } from "@marketplace-kit/express"
import { describe, expect, it } from "vitest"
import { json, MKIT, mkit } from "./support/Mkit.js"

describe("mkit demo", () => {
  it("walks through every command against an in-process emulator and exits 0", async () => {
    const result = await mkit(["demo"])
    expect(result.code).toBe(0)
    const [demo] = DEMO_SEED.installations
    for (const step of [
      "1/8 Set a billing plan",
      "3/8 Clear it",
      "5/8 Tell Vercel a resource changed",
      "8/8 A wrong flag"
    ]) {
      expect(result.stdout).toContain(step)
    }
    expect(result.stdout).toContain(`$ mkit installation update ${demo!.id} --clear-notification`)
    expect(result.stdout).toContain("authorization: Bearer <redacted>")
    expect(result.stdout).toContain("Emulator write log (5 entries)")
    expect(result.stdout).toContain('"billingPlan": {')
    expect(result.stdout).toMatch(/Done: 8 commands/)
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^mkit: PATCH \/v1\/installations\/icfg_does_not_exist → 404 not_found/),
      'mkit: invalid flags: billingPlan.type (--plan-type): expected "prepayment" | "subscription", received "monthly"'
    ])
    for (const { token } of DEMO_SEED.installations) {
      expect(result.stdout).not.toContain(token)
      expect(result.stderr).not.toContain(token)
    }
  })
})

describe("mkit demo --keep-open", () => {
  it("keeps the emulator running with the demo's writes and prints a dashboard link that signs in", async () => {
    const child = spawn(process.execPath, [MKIT, "demo", "--keep-open"], {
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    try {
      let stdout = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
      })
      await expect.poll(() => stdout, { timeout: 15_000 }).toMatch(/Ctrl-C to stop/)
      const link = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/_emulator\/ui)#(\S+)$/m.exec(stdout)
      expect(link).not.toBeNull()
      const [, page, fragment] = link!
      const html = await fetch(page!)
      expect(html.status).toBe(200)
      expect(html.headers.get("content-security-policy")).toContain("script-src 'self'")
      // The fragment is the admin token: the stream it opens starts with the demo's five writes.
      const stream = await fetch(new URL("../stream", `${page}/`), {
        headers: { authorization: `Bearer ${decodeURIComponent(fragment!)}` }
      })
      expect(stream.status).toBe(200)
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
      let text = ""
      while (!text.includes("\n\n", text.indexOf("event: snapshot")))
        text += (await reader.read()).value ?? ""
      const data = /event: snapshot\ndata: (.*)\n/.exec(text)![1]!
      expect((JSON.parse(data) as { events: Array<unknown> }).events).toHaveLength(5)
      await reader.cancel()
    } finally {
      child.kill("SIGINT")
      await once(child, "exit")
    }
  })
})

describe("mkit schema", () => {
  it("prints core's JSON Schema of each body", async () => {
    const [update, event, wrong] = await Promise.all([
      mkit(["schema", "update-installation"]),
      mkit(["schema", "create-event"]),
      mkit(["schema", "delete-installation"])
    ])
    expect(update.code).toBe(0)
    expect(json(update)).toEqual(updateInstallationJsonSchema)
    expect(json(event)).toEqual(createEventJsonSchema)
    expect(wrong.code).toBe(2)
  })
})
