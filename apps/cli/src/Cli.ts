import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import type * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CliExit, ExitCode } from "./ExitCode.js"
import { helpPages } from "./HelpPages.js"
import { helpPageFor, wantsHelp } from "./HelpPath.js"
import {
  bulkHelp,
  demoHelp,
  eventHelp,
  installationHelp,
  rootHelp,
  schemaHelp,
  sendHelp,
  serveHelp,
  updateHelp
} from "./HelpTree.js"
import { bulkOptions } from "./options/BulkOptions.js"
import { eventOptions } from "./options/EventOptions.js"
import { globalOptions } from "./options/GlobalOptions.js"
import { schemaOptions } from "./options/SchemaOptions.js"
import { serveOptions } from "./options/ServeOptions.js"
import { updateOptions } from "./options/UpdateOptions.js"
import { version } from "./Version.js"

/** Runs a whole `mkit` command line (argv including node and the script) and yields its exit code. */
export type RunCli = (argv: ReadonlyArray<string>) => Effect.Effect<number>

// Help comes from helpPages() rather than @effect/cli's built-in page (which repeats every flag's type and
// lists full usages under COMMANDS). bin.ts normally answers help from the pages rendered at build time;
// this is the same rendering, live, for when they are missing.
const printHelp = (args: ReadonlyArray<string>) =>
  Effect.suspend(() => {
    const all = helpPages()
    return Console.log(all[helpPageFor(args, (key) => key in all)])
  })

const showHelp = (path: ReadonlyArray<string>) => () => printHelp(path)

// Handlers live in modules loaded on first use, so `--help`, `--version` and completions
// never load zod, the HTTP client or Express.
const lazy =
  <A, R>(load: () => Promise<{ readonly run: (flags: A) => Effect.Effect<void, CliExit, R> }>) =>
  (flags: A) =>
    Effect.flatMap(
      Effect.promise(() => load()),
      (module) => module.run(flags)
    )

const withGlobal = <C extends Command.Command.Config>(options: C) => ({ ...options, global: globalOptions })

const mkit = Command.make("mkit", {}, showHelp([])).pipe(
  Command.withDescription(rootHelp.summary),
  Command.withSubcommands([
    Command.make("installation", {}, showHelp(["installation"])).pipe(
      Command.withDescription(installationHelp.summary),
      Command.withSubcommands([
        Command.make(
          "update",
          withGlobal(updateOptions),
          lazy(() => import("./commands/UpdateCommand.js"))
        ).pipe(Command.withDescription(updateHelp.summary))
      ])
    ),
    Command.make("event", {}, showHelp(["event"])).pipe(
      Command.withDescription(eventHelp.summary),
      Command.withSubcommands([
        Command.make(
          "send",
          withGlobal(eventOptions),
          lazy(() => import("./commands/EventCommand.js"))
        ).pipe(Command.withDescription(sendHelp.summary))
      ])
    ),
    Command.make(
      "bulk",
      withGlobal(bulkOptions),
      lazy(() => import("./commands/BulkCommand.js"))
    ).pipe(Command.withDescription(bulkHelp.summary)),
    Command.make(
      "serve",
      serveOptions,
      lazy(() => import("./commands/ServeCommand.js"))
    ).pipe(Command.withDescription(serveHelp.summary)),
    Command.make(
      "schema",
      schemaOptions,
      lazy(() => import("./commands/SchemaCommand.js"))
    ).pipe(Command.withDescription(schemaHelp.summary)),
    Command.make("demo", {}, () =>
      Effect.flatMap(
        Effect.promise(() => import("./commands/DemoCommand.js")),
        (module) => module.run(run)
      )
    ).pipe(Command.withDescription(demoHelp.summary))
  ])
)

const cli = Command.run(mkit, { name: "mkit", version })

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

// @effect/cli stops reading flags at a bare "-" argument (it looks like the start of a flag), so
// `mkit bulk - --json` would refuse --json. bulk's stdin marker is moved behind the flags instead;
// a "-" that is a flag's value (`--failed -`) stays where it is.
const FLAGS_WITHOUT_VALUE = new Set(["--json", "--dry-run", "--verbose"])
const stdinMarkerLast = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (args[0] !== "bulk") return args
  const marker = args.findIndex((arg, index) => {
    const previous = args[index - 1] ?? ""
    return (
      arg === "-" &&
      (!previous.startsWith("-") || previous.includes("=") || FLAGS_WITHOUT_VALUE.has(previous))
    )
  })
  return marker === -1 ? args : [...args.slice(0, marker), ...args.slice(marker + 1), "-"]
}

const execute: RunCli = (argv) => {
  const args = argv.slice(2)
  if (wantsHelp(args)) return Effect.as(printHelp(args), ExitCode.ok)
  return cli([...argv.slice(0, 2), ...stdinMarkerLast(args)]).pipe(
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
