import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BillingPlanType, InstallationStatus, NotificationLevel } from "@marketplace-kit/core"
import { describe, expect, it } from "vitest"
import { prebuiltHelp } from "../src/HelpPages.js"
import { json, mkit } from "./support/Mkit.js"

const dist = join(import.meta.dirname, "..", "dist")
const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
  version: string
}
const ESC = String.fromCharCode(27)

describe("mkit help", () => {
  it("shows every command, the global flags, exit codes and examples, without colors when piped", async () => {
    const result = await mkit(["--help"])
    expect(result).toMatchObject({ code: 0, stderr: "" })
    expect(result.stdout).not.toContain(ESC)
    for (const command of [
      "installation update <id>",
      "event send <id> <type>",
      "bulk <file|->",
      "serve",
      "schema <body>",
      "demo"
    ]) {
      expect(result.stdout).toMatch(new RegExp(`\\n  ${command.replace(/[|]/g, "\\|")}\\s`))
    }
    for (const flag of [
      "--token <token>",
      "--base-url <url>",
      "--json",
      "--dry-run",
      "--verbose",
      "--completions"
    ]) {
      expect(result.stdout).toContain(flag)
    }
    for (const code of [
      "0  ok",
      "2  usage",
      "3  authentication",
      "4  not found",
      "5  still rate limited",
      "6  server"
    ]) {
      expect(result.stdout).toContain(`  ${code}`)
    }
    expect(result.stdout).toContain("$ mkit demo")
    expect((await mkit([])).stdout).toBe(result.stdout)
  })

  it("prints the pages rendered at build time, identical to the live rendering", async () => {
    const built = JSON.parse(readFileSync(join(dist, "help.json"), "utf8")) as ReturnType<typeof prebuiltHelp>
    expect(built).toEqual(prebuiltHelp())
    expect(Object.keys(built.pages).sort()).toEqual(
      [
        "",
        "bulk",
        "demo",
        "event",
        "event send",
        "installation",
        "installation update",
        "schema",
        "serve"
      ].sort()
    )
    // `mkit installation` alone is answered by the command tree at run time, `--help` by the prebuilt page.
    const [live, prebuilt] = await Promise.all([mkit(["installation"]), mkit(["installation", "--help"])])
    expect(live).toMatchObject({ code: 0, stdout: prebuilt.stdout })
    expect(prebuilt.stdout).toMatch(/^mkit installation: Update an installation\n/)
  })

  it("finds the page of the command before -h, wherever it is", async () => {
    const result = await mkit(["bulk", "ops.ndjson", "--concurrency", "2", "-h"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^mkit bulk: /)
    expect(result.stdout).toContain("--failed <file>")
    expect(result.stdout).toContain("--concurrency <n>  Requests in flight at once (default 4).")
  })

  it("reads -h and --help given as a flag's value as that value, not as a request for help", async () => {
    const env = { VERCEL_TOKEN: "tok_help_value" }
    const update = await mkit(
      ["installation", "update", "icfg_1", "--notify-text", "-h", "--dry-run", "--json"],
      {
        env
      }
    )
    expect(update.code).toBe(0)
    expect(json(update)).toMatchObject({ ok: true, dryRun: true, request: { body: { notification: "-h" } } })
    const cwd = mkdtempSync(join(tmpdir(), "mkit-help-value-"))
    const bulk = await mkit(["bulk", "-", "--failed", "--help", "--dry-run", "--json"], {
      env,
      cwd,
      input: `${JSON.stringify({ op: "update", id: "icfg_1", body: { status: "ready" } })}\n`
    })
    expect(bulk.code).toBe(0)
    expect(json(bulk)).toMatchObject({ ok: true, dryRun: true, total: 1, succeeded: 1 })
    expect(existsSync(join(cwd, "--help"))).toBe(true)
    // A -h of its own, after the same flags, still asks for the page.
    const help = await mkit(["installation", "update", "icfg_1", "--notify-text", "x", "-h"])
    expect(help.stdout).toMatch(/^mkit installation update: /)
  })

  it("documents every value core accepts for the flags that take one", async () => {
    const update = await mkit(["installation", "update", "--help"])
    for (const value of [
      ...InstallationStatus.options,
      ...NotificationLevel.options,
      ...BillingPlanType.options
    ]) {
      expect(update.stdout).toContain(value)
    }
    expect(update.stdout).toContain("--plan-detail <label=value>...")
    const send = await mkit(["event", "send", "--help"])
    expect(send.stdout).toContain("installation.updated")
    expect(send.stdout).toContain("resource.updated")
  })

  it("prints the version, completion scripts, and refuses unknown commands", async () => {
    const [v, bash, fish, unknown] = await Promise.all([
      mkit(["--version"]),
      mkit(["--completions", "bash"]),
      mkit(["--completions", "fish"]),
      mkit(["deploy", "--json"])
    ])
    expect(v).toMatchObject({ code: 0, stdout: `${version}\n` })
    expect(bash.code).toBe(0)
    expect(bash.stdout).toContain("_mkit_bash_completions")
    expect(bash.stdout).toContain("installation")
    expect(fish.stdout).toContain("complete -c mkit")
    expect(unknown.code).toBe(2)
    expect(json(unknown)).toMatchObject({
      ok: false,
      exitCode: 2,
      error: { type: "UsageError", message: expect.stringContaining("Invalid subcommand") }
    })
  })
})
