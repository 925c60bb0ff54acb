import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import { optionalInteger, optionalText, toggle } from "./Flag.js"

/** Connection, retry and output flags shared by every command that talks to the API. */
export const globalOptions = {
  token: Options.redacted("token").pipe(
    Options.withPseudoName("token"),
    Options.withFallbackConfig(Config.redacted("VERCEL_TOKEN")),
    Options.withDescription("Vercel access token (else $VERCEL_TOKEN). Never printed."),
    Options.optional
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.withPseudoName("url"),
    Options.withFallbackConfig(Config.string("VERCEL_API_URL")),
    Options.withDescription("API origin (else $VERCEL_API_URL, else https://api.vercel.com)."),
    Options.optional
  ),
  timeout: optionalText("timeout", "duration", "Per-attempt timeout, e.g. 10s or 500ms (default 10s)."),
  retries: optionalInteger(
    "retries",
    "n",
    "Retries after the first attempt on 408/429/5xx/network errors (default 4; 0 = none)."
  ),
  retryDelay: optionalText(
    "retry-delay",
    "duration",
    "Base delay of the exponential retry backoff, e.g. 200ms."
  ),
  json: toggle("json", "Print one JSON object on stdout (result or error) instead of text."),
  dryRun: toggle(
    "dry-run",
    "Print the request (method, URL, headers with the token redacted, body); send nothing."
  ),
  verbose: toggle("verbose", "Log each request and its outcome on stderr.")
} as const

/** The parsed global flags. */
export type GlobalFlags = Command.Command.ParseConfig<typeof globalOptions>
