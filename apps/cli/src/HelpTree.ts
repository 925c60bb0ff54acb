import type { HelpNode } from "./Help.js"
import { bulkOptions } from "./options/BulkOptions.js"
import { eventOptions } from "./options/EventOptions.js"
import { schemaOptions } from "./options/SchemaOptions.js"
import { serveOptions } from "./options/ServeOptions.js"
import { updateOptions } from "./options/UpdateOptions.js"

/** `mkit installation update`. */
export const updateHelp: HelpNode = {
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

/** `mkit event send`. */
export const sendHelp: HelpNode = {
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

/** `mkit bulk`. */
export const bulkHelp: HelpNode = {
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

/** `mkit serve`. */
export const serveHelp: HelpNode = {
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

/** `mkit schema`. */
export const schemaHelp: HelpNode = {
  name: "schema",
  usage: "<body>",
  summary: "Print the JSON Schema (draft 2020-12) of a request body",
  options: schemaOptions,
  examples: [["mkit schema update-installation > update-installation.schema.json", "Save a schema"]]
}

/** `mkit demo`. */
export const demoHelp: HelpNode = {
  name: "demo",
  summary: "Walk through every command against an in-process emulator (no token needed)",
  description:
    "Starts the emulator on a free 127.0.0.1 port, runs real mkit command lines against it (a billing plan, a " +
    "notification set and cleared, both events, a dry run, a 404 and a validation error), then prints the " +
    "emulator's state and write log."
}

/** `mkit installation`. */
export const installationHelp: HelpNode = {
  name: "installation",
  summary: "Update an installation",
  children: [updateHelp]
}

/** `mkit event`. */
export const eventHelp: HelpNode = { name: "event", summary: "Send an event", children: [sendHelp] }

/** Every command, its summary, usage, flags and examples: the source of all help pages. */
export const rootHelp: HelpNode = {
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
