import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import type * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { read } from "./CommandLine.js"
import { type CommandNode, mkit } from "./Commands.js"
import { CliExit, ExitCode } from "./ExitCode.js"
import { grammarOf } from "./Grammar.js"
import * as Help from "./Help.js"
import { globalOptions } from "./options/GlobalOptions.js"
import { version } from "./Version.js"

/** Runs a whole `mkit` command line (argv including node and the script) and yields its exit code. */
export type RunCli = (argv: ReadonlyArray<string>) => Effect.Effect<number>

// Help comes from Help.pages rather than @effect/cli's built-in page (which repeats every flag's type and
// lists full usages under COMMANDS). bin.ts normally answers help from the pages rendered at build time;
// this is the same rendering, live, for when they are missing and for a command group run bare.
const printHelp = (path: string) =>
  Effect.suspend(() => Console.log(Help.pages(mkit, globalOptions, version)[path]))

// A tree built from data has no static flag types, so they are erased here (as @effect/cli's own
// `withSubcommands` takes `Command<any, any, any, any>`); `command` in Commands.ts types each handler.
// biome-ignore lint/suspicious/noExplicitAny: the flags of a command built from the table
type TableCommand = Command.Command<string, never, CliExit, any>

/** The @effect/cli command of a table node: a group prints its page, a command loads its handler and runs it. */
const toCommand = (node: CommandNode, path: string): TableCommand => {
  const { load } = node
  const command = Command.make(node.name, node.options ?? {}, (flags) =>
    load === undefined
      ? printHelp(path)
      : Effect.flatMap(Effect.promise(load), (handler) => handler.run(flags as never))
  ).pipe(Command.withDescription(node.summary))
  const [first, ...rest] = (node.children ?? []).map((child) =>
    toCommand(child, path === "" ? child.name : `${path} ${child.name}`)
  )
  return first === undefined ? command : Command.withSubcommands(command, [first, ...rest])
}

/** The @effect/cli command tree of the table (what is parsed; tests compare it with the help pages). */
export const command = toCommand(mkit, "")

const cli = Command.run(command, { name: "mkit", version })

// The file system and terminal services load only when a command runs, not for help or the version.
const environment = Layer.unwrapEffect(
  Effect.map(
    Effect.promise(() => import("./Environment.js")),
    (module) => module.layer
  )
)

// @effect/cli has already printed the problem on stderr; --json callers also get it on stdout.
const reportUsage = (error: ValidationError.ValidationError, argv: ReadonlyArray<string>) =>
  Effect.as(
    argv.includes("--json")
      ? Console.log(
          JSON.stringify({
            ok: false,
            exitCode: ExitCode.usage,
            error: { type: "UsageError", message: HelpDoc.toAnsiText(error.error).trim() }
          })
        )
      : Effect.void,
    ExitCode.usage
  )

const execute: RunCli = (argv) => {
  const line = read(argv.slice(2), grammarOf(mkit))
  if (line.help) return Effect.as(printHelp(line.path), ExitCode.ok)
  return cli([...argv.slice(0, 2), ...line.args]).pipe(
    Effect.provide(environment),
    Effect.as(ExitCode.ok),
    Effect.catchAll((error) =>
      error instanceof CliExit ? Effect.succeed(error.code) : reportUsage(error, argv)
    )
  )
}

/** Runs a whole `mkit` command line and yields its exit code; never fails. */
export const run: RunCli = (argv) =>
  execute(argv).pipe(
    Effect.catchAllDefect((defect) =>
      Effect.as(
        Console.error(
          `mkit: unexpected error: ${argv.includes("--verbose") && defect instanceof Error ? defect.stack : String(defect)}`
        ),
        ExitCode.failure
      )
    )
  )
