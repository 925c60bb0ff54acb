import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import type * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { CliExit, ExitCode } from "./ExitCode.js"
import * as Help from "./Help.js"
import { bulkOptions } from "./options/BulkOptions.js"
import { eventOptions } from "./options/EventOptions.js"
import { globalOptions } from "./options/GlobalOptions.js"
import { serveOptions } from "./options/ServeOptions.js"
import { updateOptions } from "./options/UpdateOptions.js"
import { version } from "./Version.js"

/** Runs a whole `mkit` command line (argv including node and the script) and yields its exit code. */
export type RunCli = (argv: ReadonlyArray<string>) => Effect.Effect<number, never, CliApp.CliApp.Environment>

const schemaOptions = {
  body: Args.choice(
    [
      ["update-installation", "update-installation"],
      ["create-event", "create-event"]
    ] as const,
    { name: "body" }
  ).pipe(Args.withDescription("Which request body."))
}

const updateHelp: Help.HelpNode = {
  name: "update",
  usage: "<id> [flags]",
  summary: "Set the billing plan, a notification, the status or the external id (PATCH)",
  description:
    "PATCH /v1/installations/{id}. Give either --body (the raw JSON body) or flags: a plan with --plan-file, or " +
    "--plan-id, --plan-type and --plan-name plus any other --plan-* flag; a notification with --notify-level and " +
    "--notify-title (and --notify-message/--notify-href), or --notify-text, or --clear-notification; --status; " +
    "--external-id. Everything is validated before anything is sent, and a problem names the field and its flag.",
  options: updateOptions,
  api: true,
  examples: [
    [
      "mkit installation update icfg_123 --plan-id pro --plan-type subscription --plan-name Pro --plan-cost '$20/month' --plan-detail 'Seats=10'",
      "Set the billing plan"
    ],
    [
      "mkit installation update icfg_123 --notify-level warn --notify-title 'Usage at 90%' --notify-href https://example.com/usage",
      "Show a notification"
    ],
    ["mkit installation update icfg_123 --clear-notification", "Clear it"],
    [
      'echo \'{"status":"ready"}\' | mkit installation update icfg_123 --body - --dry-run',
      "Print the request, send nothing"
    ]
  ]
}

const sendHelp: Help.HelpNode = {
  name: "send",
  usage: "<id> <type> [flags]",
  summary: "Send an installation.updated or resource.updated event (POST)",
  description:
    "POST /v1/installations/{id}/events. <type> is installation.updated (with an optional --billing-plan-id) or " +
    "resource.updated (with --resource-id and an optional --product-id).",
  options: eventOptions,
  api: true,
  examples: [
    ["mkit event send icfg_123 installation.updated --billing-plan-id pro", "The installation changed plan"],
    [
      "mkit event send icfg_123 resource.updated --resource-id db_1 --product-id postgres",
      "A resource changed"
    ]
  ]
}

const bulkHelp: Help.HelpNode = {
  name: "bulk",
  usage: "<file|-> [flags]",
  summary: "Run NDJSON operations with bounded concurrency, keeping the failures",
  description:
    'One operation per line: {"op":"update","id":"icfg_…","body":{…}} or {"op":"event","id":"icfg_…","event":{…}}. ' +
    "Each line is validated and sent on its own (with retries); a bad or failed line is reported with its line " +
    "number and never stops the others. Shows a progress bar on a terminal and a status line every few seconds " +
    "otherwise, then a summary. Exits non-zero if any line failed: with that failure's code when all failed the " +
    "same way, else 1.",
  options: bulkOptions,
  api: true,
  examples: [
    ["mkit bulk ops.ndjson --concurrency 8 --failed failed.ndjson", "Run a file, keep what failed"],
    ["mkit bulk failed.ndjson --failed failed-again.ndjson", "Re-run the failures as they are"],
    ["cat ops.ndjson | mkit bulk - --dry-run --json", "Validate and plan every line, send nothing"]
  ]
}

const serveHelp: Help.HelpNode = {
  name: "serve",
  summary: "Run the Vercel emulator (same routes, in memory) until Ctrl-C",
  description:
    "Serves PATCH /v1/installations/{id} and POST /v1/installations/{id}/events with Vercel's auth rules and " +
    "error bodies, plus an inspection API under /_emulator. Point mkit (or @vercel/sdk) at it with --base-url.",
  options: serveOptions,
  examples: [
    ["mkit serve", "Demo installations on http://127.0.0.1:4010"],
    [
      "mkit serve --port 0 --rate-limit 5/s,burst=10 --chaos seed=1,error=0.2,drop=0.05",
      "A flaky, rate-limited API"
    ]
  ]
}

const schemaHelp: Help.HelpNode = {
  name: "schema",
  usage: "<body>",
  summary: "Print the JSON Schema (draft 2020-12) of a request body",
  options: schemaOptions,
  examples: [["mkit schema update-installation > update-installation.schema.json", "Save a schema"]]
}

const demoHelp: Help.HelpNode = {
  name: "demo",
  summary: "Walk through every command against an in-process emulator (no token needed)",
  description:
    "Starts the emulator on a free 127.0.0.1 port, runs real mkit command lines against it (a billing plan, a " +
    "notification set and cleared, both events, a dry run, a 404 and a validation error), then prints the " +
    "emulator's state and write log."
}

const installationHelp: Help.HelpNode = {
  name: "installation",
  summary: "Update an installation",
  children: [updateHelp]
}

const eventHelp: Help.HelpNode = { name: "event", summary: "Send an event", children: [sendHelp] }

const rootHelp: Help.HelpNode = {
  name: "mkit",
  summary: "Vercel Marketplace installation updates and events, plus a local emulator",
  children: [installationHelp, eventHelp, bulkHelp, serveHelp, schemaHelp, demoHelp],
  examples: [
    ["mkit demo", "See everything work against a local emulator"],
    ["export VERCEL_TOKEN=…", "Then talk to Vercel"],
    [
      "mkit installation update icfg_123 --plan-id pro --plan-type subscription --plan-name Pro",
      "Set a plan"
    ],
    ["mkit event send icfg_123 resource.updated --resource-id db_1 --json", "Send an event, read JSON"],
    ["mkit bulk ops.ndjson --failed failed.ndjson", "Run many operations"],
    [
      "mkit serve & mkit installation update icfg_demo_0001 --status ready --base-url http://127.0.0.1:4010 --token mkit_demo_token_0001",
      "Use the emulator"
    ]
  ]
}

const printHelp = (path: ReadonlyArray<Help.HelpNode>) =>
  Console.log(Help.render(path, globalOptions, version, Math.min(120, process.stdout.columns ?? 100)))

// Help pages come from Help.render rather than @effect/cli's built-in (which repeats every flag's type and
// lists full usages under COMMANDS), so `--help` anywhere, or a command group alone, lands here.
const helpPath = (args: ReadonlyArray<string>): ReadonlyArray<Help.HelpNode> => {
  const path = [rootHelp]
  for (const arg of args) {
    if (arg === "--") break
    if (arg.startsWith("-")) continue
    const next = path[path.length - 1]!.children?.find((child) => child.name === arg)
    if (next === undefined) break
    path.push(next)
  }
  return path
}

const showHelp = (path: ReadonlyArray<string>) => () => printHelp(helpPath(path))

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
  const args = argv.slice(2)
  if (args.includes("--help") || args.includes("-h")) return Effect.as(printHelp(helpPath(args)), ExitCode.ok)
  if (args.length === 1 && args[0] === "--version") return Effect.as(Console.log(version), ExitCode.ok)
  return cli(argv).pipe(
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
