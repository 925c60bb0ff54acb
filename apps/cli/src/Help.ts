import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import { bold, strip } from "./Ansi.js"
import type { CommandNode } from "./Commands.js"

const EXIT_CODES: ReadonlyArray<readonly [string, string]> = [
  ["0", "ok"],
  ["1", "anything else (e.g. another 4xx)"],
  ["2", "usage or validation error (bad flags, bad body, 400); nothing was sent unless it was a 400"],
  ["3", "authentication or permission (401, 403)"],
  ["4", "not found (404)"],
  ["5", "still rate limited after retries (429)"],
  ["6", "server or network error after retries (5xx, timeout, connection)"]
]

const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ["VERCEL_TOKEN", "token used when --token is not given"],
  ["VERCEL_API_URL", "API origin used when --base-url is not given"],
  ["NO_COLOR", "no colors even on a terminal"]
]

const BUILT_IN: ReadonlyArray<readonly [string, string]> = [
  ["-h, --help", "help for mkit or any command"],
  ["--version", "print the version"],
  ["--completions <shell>", "print a completion script: bash, fish, zsh or sh"]
]

// @effect/cli describes every flag's type in prose; the page shows the type in the flag itself instead.
const BOILERPLATE =
  /^(A user-defined piece of text( that is confidential)?|An integer|A floating point number|A true or false value|This setting is optional|This option may be repeated zero or more times|This option can be set from environment variables)\.$/
const BUILT_IN_TERM = /^(\(-h, --help\)|--completions|--log-level|--wizard|--version)(?=\s|$)/

const plain = (span: Span.Span): string => strip(HelpDoc.toAnsiText(HelpDoc.p(span))).trim()

const flatten = (doc: HelpDoc.HelpDoc): ReadonlyArray<HelpDoc.HelpDoc> =>
  doc._tag === "Sequence" ? [...flatten(doc.left), ...flatten(doc.right)] : [doc]

/** The flags and arguments of a config as `[term, description]` rows, straight from @effect/cli. */
const rows = (options: Command.Command.Config): Array<readonly [string, string]> =>
  flatten(Command.getHelp(Command.make("help", options), CliConfig.defaultConfig))
    .flatMap((doc) => (doc._tag === "DescriptionList" ? doc.definitions : []))
    .map(([term, description]) => {
      // `--plan-detail label=value...` reads as `--plan-detail <label=value>...`.
      const name = plain(term).replace(/^(--\S+) ([^.]+?)(\.\.\.)?$/, "$1 <$2>$3")
      const text = flatten(description)
        .flatMap((doc) => (doc._tag === "Paragraph" ? [plain(doc.value)] : []))
        .filter((paragraph) => !BOILERPLATE.test(paragraph))
      return [
        name,
        text.map((paragraph) => (/[.…)]$/.test(paragraph) ? paragraph : `${paragraph}.`)).join(" ")
      ] as const
    })
    .filter(([name]) => !BUILT_IN_TERM.test(name))

const wrap = (text: string, width: number, indent: number): string => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && indent + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  lines.push(line)
  return lines.join(`\n${" ".repeat(indent)}`)
}

const table = (entries: ReadonlyArray<readonly [string, string]>, width: number): string => {
  const column = Math.min(26, Math.max(...entries.map(([left]) => left.length)))
  return entries
    .map(([left, right]) =>
      left.length > column
        ? `  ${left}\n${" ".repeat(column + 4)}${wrap(right, width, column + 4)}`
        : `  ${left.padEnd(column)}  ${wrap(right, width, column + 4)}`
    )
    .join("\n")
}

const section = (title: string, body: string) => `\n${bold(title)}\n${body}\n`

const examples = (entries: ReadonlyArray<readonly [string, string]>) =>
  entries.map(([command, what]) => `  # ${what}\n  $ ${command}`).join("\n")

const leaves = (node: CommandNode, prefix: string): Array<readonly [string, string]> =>
  node.children === undefined
    ? [[`${prefix}${node.name} ${(node.usage ?? "").replace(/ ?\[flags\]$/, "")}`.trim(), node.summary]]
    : node.children.flatMap((child) => leaves(child, `${prefix}${node.name} `))

// The commands that take the shared flags, named in the root page's heading of those flags.
const apiCommands = (node: CommandNode, prefix: string): Array<string> =>
  node.children === undefined
    ? node.options?.global === undefined
      ? []
      : [`${prefix}${node.name}`]
    : node.children.flatMap((child) => apiCommands(child, `${prefix}${node.name} `))

/** Help pages are laid out for this many columns, so they can be rendered once, at build time. */
export const WIDTH = 100

/**
 * Renders the help page of a command. Flag descriptions come from the @effect/cli definitions
 * themselves (so the page cannot drift from what is parsed), laid out compactly: one row per
 * flag, the shared flags in their own section, examples and exit codes at the end.
 */
export const render = (
  path: ReadonlyArray<CommandNode>,
  global: Command.Command.Config,
  version: string,
  width = WIDTH
): string => {
  const node = path[path.length - 1]!
  const root = path[0]!
  const name = path.map((each) => each.name).join(" ")
  const isRoot = path.length === 1
  const parts = [
    isRoot ? `${bold(`mkit ${version}`)}: ${root.summary}\n` : `${bold(name)}: ${node.summary}\n`,
    section("USAGE", `  $ ${name} ${node.usage ?? (node.children ? "<command> [flags]" : "[flags]")}`)
  ]
  if (node.description !== undefined) parts.push(`\n${wrap(node.description, width, 0)}\n`)
  if (node.children !== undefined) {
    const entries = isRoot
      ? node.children.flatMap((child) => leaves(child, ""))
      : node.children.flatMap((child) => leaves(child, `${node.name} `))
    parts.push(section("COMMANDS", table(entries, width)))
  }
  const { global: shared, ...options } = node.options ?? {}
  const own = rows(options)
  const args = own.filter(([term]) => term.startsWith("<"))
  const flags = own.filter(([term]) => !term.startsWith("<"))
  if (args.length > 0) parts.push(section("ARGUMENTS", table(args, width)))
  if (flags.length > 0) parts.push(section("FLAGS", table(flags, width)))
  const api = shared !== undefined
  if (isRoot || api) {
    parts.push(
      section(
        isRoot
          ? `GLOBAL FLAGS (${(node.children ?? []).flatMap((child) => apiCommands(child, "")).join(", ")})`
          : "GLOBAL FLAGS",
        table(rows(global), width)
      )
    )
  }
  if (isRoot) parts.push(section("OTHER FLAGS", table(BUILT_IN, width)))
  if (node.examples !== undefined) parts.push(section("EXAMPLES", examples(node.examples)))
  if (isRoot || api) {
    parts.push(
      section("EXIT CODES", table(EXIT_CODES, width)),
      section("ENVIRONMENT", table(ENVIRONMENT, width))
    )
  }
  parts.push(
    `\n${isRoot ? "Run `mkit <command> --help` for a command's flags." : "Run `mkit --help` for all commands."}`
  )
  return parts.join("")
}

/** Every help page, keyed by command path without `mkit` (`""`, `"installation"`, `"installation update"`…). */
export const pages = (
  root: CommandNode,
  global: Command.Command.Config,
  version: string
): Record<string, string> => {
  const out: Record<string, string> = {}
  const visit = (path: ReadonlyArray<CommandNode>) => {
    out[
      path
        .slice(1)
        .map((node) => node.name)
        .join(" ")
    ] = render(path, global, version)
    for (const child of path[path.length - 1]!.children ?? []) visit([...path, child])
  }
  visit([root])
  return out
}
