import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"

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
  timeout: Options.text("timeout").pipe(
    Options.withPseudoName("duration"),
    Options.withDescription("Per-attempt timeout, e.g. 10s or 500ms (default 10s)."),
    Options.optional
  ),
  retries: Options.integer("retries").pipe(
    Options.withPseudoName("n"),
    Options.withDescription(
      "Retries after the first attempt on 408/429/5xx/network errors (default 4; 0 = none)."
    ),
    Options.optional
  ),
  retryDelay: Options.text("retry-delay").pipe(
    Options.withPseudoName("duration"),
    Options.withDescription("Base delay of the exponential retry backoff, e.g. 200ms."),
    Options.optional
  ),
  json: Options.boolean("json").pipe(
    Options.withDescription("Print one JSON object on stdout (result or error) instead of text.")
  ),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription(
      "Print the request (method, URL, headers with the token redacted, body); send nothing."
    )
  ),
  verbose: Options.boolean("verbose").pipe(
    Options.withDescription("Log each request and its outcome on stderr.")
  )
} as const

/** The parsed global flags. */
export type GlobalFlags = Command.Command.ParseConfig<typeof globalOptions>
