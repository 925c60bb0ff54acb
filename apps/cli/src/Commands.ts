import type * as Command from "@effect/cli/Command"
import type * as Effect from "effect/Effect"
import type { CliExit } from "./ExitCode.js"
import { bulkOptions } from "./options/BulkOptions.js"
import { demoOptions } from "./options/DemoOptions.js"
import { eventOptions } from "./options/EventOptions.js"
import { globalOptions } from "./options/GlobalOptions.js"
import { deliverOptions, failedOptions, outboxOptions } from "./options/OutboxOptions.js"
import { schemaOptions } from "./options/SchemaOptions.js"
import { serveOptions } from "./options/ServeOptions.js"
import { updateOptions } from "./options/UpdateOptions.js"

/** A command's handler module: what `load` resolves to. */
export interface Handler<Flags> {
  readonly run: (flags: Flags) => Effect.Effect<void, CliExit>
}

/**
 * One command of `mkit`: its name, one-line summary and help page, and either its subcommands or
 * its flags and handler. Both the @effect/cli command tree (Cli.ts) and the help pages (Help.ts,
 * rendered at build time) are built from these nodes, so a command cannot be in one and not the other.
 */
export interface CommandNode {
  readonly name: string
  /** Shown in the parent's command list. */
  readonly summary: string
  /** Usage after the command path, e.g. `<id> [flags]`. */
  readonly usage?: string
  /** Longer text shown on the command's own page. */
  readonly description?: string
  /** Arguments and flags; a `global` key holds the shared flags of the commands that talk to the API. */
  readonly options?: Command.Command.Config
  readonly examples?: ReadonlyArray<readonly [command: string, what: string]>
  readonly children?: ReadonlyArray<CommandNode>
  /**
   * Loads the handler on first use, so `--help`, `--version` and completions never load zod, the
   * HTTP client or Express. (Typed by {@link command}; the tree only passes on what the parser parsed.)
   */
  readonly load?: () => Promise<Handler<never>>
}

/** A runnable command whose handler takes exactly what its options parse to. */
const command = <const C extends Command.Command.Config>(
  node: Omit<CommandNode, "options" | "load" | "children"> & {
    readonly options: C
    readonly load: () => Promise<Handler<Command.Command.ParseConfig<C>>>
  }
): CommandNode => node

const withGlobal = <const C extends Command.Command.Config>(options: C) => ({
  ...options,
  global: globalOptions
})

/** `mkit installation update`. */
const update = command({
  name: "update",
  usage: "<id> [flags]",
  summary: "Set the billing plan, a notification, the status or the external id (PATCH)",
  description:
    "PATCH /v1/installations/{id}. Give either --body (the raw JSON body) or flags: a plan with --plan-file, or " +
    "--plan-id, --plan-type and --plan-name plus any other --plan-* flag; a notification with --notify-level and " +
    "--notify-title (and --notify-message/--notify-href), or --notify-text, or --clear-notification; --status; " +
    "--external-id. Everything is validated before anything is sent, and a problem names the field and its flag.",
  options: withGlobal(updateOptions),
  load: () => import("./commands/UpdateCommand.js"),
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
})

/** `mkit event send`. */
const send = command({
  name: "send",
  usage: "<id> <type> [flags]",
  summary: "Send an installation.updated or resource.updated event (POST)",
  description:
    "POST /v1/installations/{id}/events. <type> is installation.updated (with an optional --billing-plan-id) or " +
    "resource.updated (with --resource-id and an optional --product-id).",
  options: withGlobal(eventOptions),
  load: () => import("./commands/EventCommand.js"),
  examples: [
    ["mkit event send icfg_123 installation.updated --billing-plan-id pro", "The installation changed plan"],
    [
      "mkit event send icfg_123 resource.updated --resource-id db_1 --product-id postgres",
      "A resource changed"
    ]
  ]
})

/** `mkit bulk`. */
const bulk = command({
  name: "bulk",
  usage: "<file|-> [flags]",
  summary: "Run NDJSON operations with bounded concurrency, resumable, keeping the failures",
  description:
    'One operation per line: {"op":"update","id":"icfg_…","body":{…}} or {"op":"event","id":"icfg_…","event":{…}}. ' +
    "Lines stream in (memory stays small whatever the file size; a UTF-8 BOM is skipped, LF, CRLF and CR end " +
    "lines), each is validated and stored in a state file (--state, default <file>.mkit-state), then sent on its " +
    "own with retries; lines are independent and go in parallel (--concurrency, at most 256). A bad or failed line " +
    "is reported with its line number and never stops the others. Re-running the same command resumes: delivered " +
    "lines are skipped, lines in flight at an interruption are sent again, failed lines are reported; the state " +
    "file is removed once every line succeeded. Ctrl-C (SIGINT), SIGTERM or SIGHUP stop claiming lines, let those " +
    "in flight finish (at most one --timeout), write --failed and the summary, and exit 130, 143 or 129; a second " +
    "Ctrl-C exits at once. Otherwise exits non-zero if any line failed: with that failure's code when all failed " +
    "the same way, else 1.",
  options: withGlobal(bulkOptions),
  load: () => import("./commands/BulkCommand.js"),
  examples: [
    ["mkit bulk ops.ndjson --concurrency 8 --failed failed.ndjson", "Run a file, keep what failed"],
    ["mkit bulk failed.ndjson --failed failed-again.ndjson", "Re-run the failures as they are"],
    ["cat ops.ndjson | mkit bulk - --state ops.state", "Read stdin, keeping progress in ops.state"],
    ["cat ops.ndjson | mkit bulk - --dry-run --json", "Validate and plan every line, send nothing"]
  ]
})

/** `mkit serve`. */
const serve = command({
  name: "serve",
  summary: "Run the Vercel emulator (same routes, in memory) until Ctrl-C",
  description:
    "Serves PATCH /v1/installations/{id} and POST /v1/installations/{id}/events with Vercel's auth rules and " +
    "error bodies, plus an inspection API under /_emulator. Point mkit (or @vercel/sdk) at it with --base-url. " +
    "mkit-emulator [flags] is the same as mkit serve [flags]. Exits 130 on Ctrl-C, 143 on SIGTERM, after closing.",
  options: serveOptions,
  load: () => import("./commands/ServeCommand.js"),
  examples: [
    ["mkit serve", "Demo installations on http://127.0.0.1:4010"],
    [
      "mkit serve --port 0 --rate-limit 5/s,burst=10 --chaos seed=1,error=0.2,drop=0.05",
      "A flaky, rate-limited API"
    ],
    [
      "mkit serve --data emu.jsonl --token-ttl 1h --verbose",
      "Persistent, tokens expire after an hour, requests logged"
    ]
  ]
})

/** `mkit schema`. */
const schema = command({
  name: "schema",
  usage: "<body>",
  summary: "Print the JSON Schema (draft 2020-12) of a request body",
  options: schemaOptions,
  load: () => import("./commands/SchemaCommand.js"),
  examples: [["mkit schema update-installation > update-installation.schema.json", "Save a schema"]]
})

/** `mkit demo`. */
const demo = command({
  name: "demo",
  summary: "Walk through every command against an in-process emulator (no token needed)",
  description:
    "Starts the emulator on a free 127.0.0.1 port, runs real mkit command lines against it (a billing plan, a " +
    "notification set and cleared, both events, a dry run, a 404 and a validation error), then prints the " +
    "emulator's state and write log. With --keep-open the emulator keeps running afterwards, with what the demo " +
    "wrote, and its dashboard link is printed.",
  options: demoOptions,
  load: () => import("./commands/DemoCommand.js"),
  examples: [["mkit demo --keep-open", "Then open the printed dashboard link"]]
})

const outboxCommand = () => import("./commands/OutboxCommand.js")

/** `mkit outbox status`. */
const outboxStatus = command({
  name: "status",
  summary: "Count a library outbox's ops by state",
  description:
    "Prints how many ops of the outbox at --store (one an app writes with @marketplace-kit/outbox) are pending, " +
    "in flight (leased by a worker), delivered, failed (dead letters) and coalesced into another op's request.",
  options: withGlobal(outboxOptions),
  load: async () => ({ run: (await outboxCommand()).status }),
  examples: [
    ["mkit outbox status --store sqlite:./vercel-outbox.db", "Counts of an embedded outbox"],
    ["mkit outbox status --store postgres://app:secret@db:5432/app --json", "Of a PostgreSQL one, as JSON"]
  ]
})

/** `mkit outbox deliver`. */
const outboxDeliver = command({
  name: "deliver",
  summary: "Deliver a library outbox's pending ops until none is left",
  description:
    "Runs a worker on the outbox at --store with the token and API flags of the other commands: ops go out in " +
    "order per installation, up to --concurrency installations at once, with the client's retries; retryable " +
    "failures are rescheduled with backoff (the command waits for them), others become dead letters. Safe to run " +
    "beside the app's own workers and other mkit outbox deliver processes (PostgreSQL). Ctrl-C, SIGTERM or SIGHUP " +
    "stop claiming, let deliveries in flight finish (at most one --timeout) and exit 130, 143 or 129; the rest stays " +
    "pending. Otherwise exits 0 when nothing failed, else with the failures' code when they all failed the same way, " +
    "else 1.",
  options: withGlobal(deliverOptions),
  load: async () => ({ run: (await outboxCommand()).deliver }),
  examples: [
    ["mkit outbox deliver --store sqlite:./vercel-outbox.db", "Deliver with $VERCEL_TOKEN"],
    [
      "mkit outbox deliver --store postgres://app:secret@db:5432/app --concurrency 32 --json",
      "More at once, JSON"
    ]
  ]
})

/** `mkit outbox failed`. */
const outboxFailed = command({
  name: "failed",
  summary: "List a library outbox's dead letters with their last error",
  options: withGlobal(failedOptions),
  load: async () => ({ run: (await outboxCommand()).failed }),
  examples: [["mkit outbox failed --store sqlite:./vercel-outbox.db --json", "Dead letters as JSON"]]
})

/** `mkit outbox retry-failed`. */
const outboxRetryFailed = command({
  name: "retry-failed",
  summary: "Put a library outbox's dead letters back to pending",
  description:
    "The next worker (the app's, or mkit outbox deliver) sends them again, in their original order.",
  options: withGlobal(outboxOptions),
  load: async () => ({ run: (await outboxCommand()).retryFailed }),
  examples: [["mkit outbox retry-failed --store sqlite:./vercel-outbox.db", "After fixing the cause"]]
})

/** `mkit outbox`. */
const outbox: CommandNode = {
  name: "outbox",
  summary: "Inspect and deliver an outbox written by @marketplace-kit/outbox",
  children: [outboxStatus, outboxDeliver, outboxFailed, outboxRetryFailed]
}

/** `mkit installation`. */
const installation: CommandNode = {
  name: "installation",
  summary: "Update an installation",
  children: [update]
}

/** `mkit event`. */
const event: CommandNode = { name: "event", summary: "Send an event", children: [send] }

/** The command table: every command with its summary, usage, flags, examples and handler. */
export const mkit: CommandNode = {
  name: "mkit",
  summary: "Vercel Marketplace installation updates and events, plus a local emulator",
  children: [installation, event, bulk, outbox, serve, schema, demo],
  examples: [
    ["mkit demo", "See everything work against a local emulator"],
    ["export VERCEL_TOKEN=…", "Then talk to Vercel"],
    [
      "mkit installation update icfg_123 --plan-id pro --plan-type subscription --plan-name Pro",
      "Set a plan"
    ],
    ["mkit event send icfg_123 resource.updated --resource-id db_1 --json", "Send an event, read JSON"],
    ["mkit bulk ops.ndjson --failed failed.ndjson", "Run many operations"],
    ["mkit outbox deliver --store sqlite:./vercel-outbox.db", "Deliver what an app stored"],
    [
      "mkit serve & mkit installation update icfg_demo_0001 --status ready --base-url http://127.0.0.1:4010 --token mkit_demo_token_0001",
      "Use the emulator"
    ]
  ]
}
