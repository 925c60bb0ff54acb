import { createEventJsonSchema, updateInstallationJsonSchema } from "@marketplace-kit/core/json-schema"
import { DEMO_SEED } from "@marketplace-kit/express"
import { describe, expect, it } from "vitest"
import { json, mkit } from "./support/Mkit.js"

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
