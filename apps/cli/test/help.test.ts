import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { BillingPlanType, InstallationStatus, NotificationLevel } from "@marketplace-kit/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import { ESC, strip } from "../src/Ansi.js"
import { command } from "../src/Cli.js"
import type { PrebuiltHelp } from "../src/HelpPages.js"
import { json, mkit } from "./support/Mkit.js"

const dist = join(import.meta.dirname, "..", "dist")
const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
  version: string
}
const help = JSON.parse(readFileSync(join(dist, "help.json"), "utf8")) as PrebuiltHelp
const pages = help.pages

/** Parses a command line with the very @effect/cli tree `mkit` runs, without running it. */
const parse = (args: ReadonlyArray<string>) =>
  Effect.runPromise(
    Descriptor.parse(command.descriptor, ["mkit", ...args], CliConfig.defaultConfig).pipe(
      Effect.either,
      Effect.provide(NodeContext.layer)
    )
  )

/** The arguments each command needs before a flag can be tried on it. */
const ARGS: Record<string, ReadonlyArray<string>> = {
  "installation update": ["icfg_1"],
  "event send": ["icfg_1", "installation.updated"],
  bulk: ["ops.ndjson"],
  "outbox status": ["--store", "sqlite:o.db"],
  "outbox deliver": ["--store", "sqlite:o.db"],
  "outbox failed": ["--store", "sqlite:o.db"],
  "outbox retry-failed": ["--store", "sqlite:o.db"],
  serve: [],
  schema: ["update-installation"],
  demo: []
}

/** What the parser left unread: `[]` when it took every word (or refused a value it did read). */
const leftover = (result: Awaited<ReturnType<typeof parse>>): unknown =>
  Either.match(result, {
    onLeft: (error) => (error._tag === "InvalidValue" ? [] : error),
    onRight: (directive) => (directive._tag === "UserDefined" ? directive.leftover : directive)
  })

const isLeaf = (paths: ReadonlyArray<string>, path: string) =>
  path !== "" && !paths.some((other) => other.startsWith(`${path} `))

const commandsSection = (page: string) => /\nCOMMANDS\n([\s\S]*?)\n\n/.exec(strip(page))?.[1] ?? ""

// @effect/cli's own built-in flags, which every command accepts and the root page lists apart.
const BUILT_INS = new Set(["--completions", "--log-level", "--help", "--wizard", "--version"])

/**
 * Every command @effect/cli knows in the tree `mkit` runs, with its flags and whether each takes a
 * value, read from its own fish completions (`-a` names a subcommand, `-l` a flag, `-r` a value).
 */
const inventory = async (): Promise<Record<string, Record<string, boolean>>> => {
  const out: Record<string, Record<string, boolean>> = { "": {} }
  for (const line of await Effect.runPromise(Command.getFishCompletions(command, "mkit"))) {
    const condition = /-n "([^"]*)"/.exec(line)?.[1] ?? ""
    const path = [...condition.matchAll(/(?<!not )__fish_seen_subcommand_from (\S+?)(?:;|$)/g)]
      .map((match) => match[1])
      .join(" ")
    const flag = / -l (\S+)/.exec(line)?.[1]
    const subcommand = / -a "([a-z-]+)"/.exec(line)?.[1]
    if (flag !== undefined) {
      if (!BUILT_INS.has(`--${flag}`)) out[path] = { ...out[path], [`--${flag}`]: / -r( |$)/.test(line) }
    } else if (subcommand !== undefined) out[path === "" ? subcommand : `${path} ${subcommand}`] ??= {}
  }
  return out
}

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

  it("has a page for exactly the commands @effect/cli parses, each listing the commands below it", async () => {
    const known = await inventory()
    const paths = Object.keys(known)
    expect(Object.keys(pages).sort()).toEqual([...paths].sort())
    for (const path of paths) {
      // A page's COMMANDS rows name (by full path) every command below it; a command's own page has none.
      const listed = [...commandsSection(pages[path]!).matchAll(/^ {2}([a-z][a-z -]*?)(?= <| {2})/gm)]
      const below = paths.filter(
        (other) => isLeaf(paths, other) && (path === "" || other.startsWith(`${path} `))
      )
      expect(listed.map((match) => match[1]).sort(), path).toEqual(below.sort())
      if (path !== "")
        expect(leftover(await parse([...path.split(" "), ...(ARGS[path] ?? [])])), path).toEqual([])
    }
    // `mkit installation` alone is answered by the command tree at run time, `--help` by the prebuilt page.
    const [live, prebuilt] = await Promise.all([mkit(["installation"]), mkit(["installation", "--help"])])
    expect(live).toMatchObject({ code: 0, stdout: prebuilt.stdout })
    expect(prebuilt.stdout).toMatch(/^mkit installation: Update an installation\n/)
  })

  it("lists exactly the flags @effect/cli parses for each command, and knows which take a value", async () => {
    const known = await inventory()
    const leaves = Object.keys(known).filter((path) => isLeaf(Object.keys(known), path))
    expect(Object.keys(ARGS).sort()).toEqual(leaves.sort())
    for (const path of leaves) {
      const flags = known[path]!
      const listed = [...strip(pages[path]!).matchAll(/^ {2}(--[a-z][\w-]*)/gm)].map((match) => match[1]!)
      expect(listed.sort(), path).toEqual(Object.keys(flags).sort())
      // What bin.ts reads a value for before loading the parser is what the parser reads a value for.
      expect([...help.grammar[path]!].sort(), path).toEqual(listed.filter((flag) => flags[flag]))
      // Every flag on the page is read by the parser: nothing is left over (a refused sample value is fine).
      for (const flag of listed) {
        // A required flag given in ARGS (`--store`) is tried on its own rather than twice.
        const args = ARGS[path]!.includes(flag) ? [] : ARGS[path]!
        const words = [...path.split(" "), ...args, flag, ...(flags[flag] ? ["1"] : [])]
        expect(leftover(await parse(words)), `${path} ${flag}`).toEqual([])
      }
    }
    // The check can fail: a flag the parser does not know is left over.
    expect(leftover(await parse(["bulk", "ops.ndjson", "--no-such-flag"]))).toEqual(["--no-such-flag"])
  })

  it("finds the page of the command before -h, wherever it is", async () => {
    const result = await mkit(["bulk", "ops.ndjson", "--concurrency", "2", "-h"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^mkit bulk: /)
    expect(result.stdout).toContain("--failed <file>")
    expect(result.stdout).toContain("--concurrency <n>  Requests in flight at once, 1 to 256 (default 4).")
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
