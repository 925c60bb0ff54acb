import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"

/** Flags of `mkit serve` (and of `mkit-emulator`, which is `mkit serve`). */
export const serveOptions = {
  port: Options.integer("port").pipe(
    Options.withPseudoName("port"),
    Options.withDescription("Port to listen on (default 4010; 0 = any free port)."),
    Options.withDefault(4010)
  ),
  host: Options.text("host").pipe(
    Options.withPseudoName("host"),
    Options.withDescription("Interface to bind (default 127.0.0.1)."),
    Options.withDefault("127.0.0.1")
  ),
  seed: Options.text("seed").pipe(
    Options.withPseudoName("file"),
    Options.withDescription(
      'Seed file {"installations":[{"id","token","expiresAt"?}]} (default: the built-in demo installations).'
    ),
    Options.optional
  ),
  data: Options.text("data").pipe(
    Options.withPseudoName("file"),
    Options.withDescription(
      "Append-only data file, locked by this process: every acknowledged write is kept there and replayed on start."
    ),
    Options.optional
  ),
  adminToken: Options.redacted("admin-token").pipe(
    Options.withPseudoName("token"),
    Options.withDescription(
      "Bearer token of the /_emulator inspection API (default: random, printed). Never printed."
    ),
    Options.optional
  ),
  rateLimit: Options.text("rate-limit").pipe(
    Options.withPseudoName("rate"),
    Options.withDescription(
      "Answer 429 above this rate per token and endpoint: 10/s, 10/s,burst=20, 10/s,retry-after=off."
    ),
    Options.optional
  ),
  chaos: Options.text("chaos").pipe(
    Options.withPseudoName("settings"),
    Options.withDescription(
      "Inject failures: seed=N,error=0.1,drop=0.05,stall=0.01,stall-ms=500,latency=20 (any subset; rates 0–1, latency in ms or a min-max range)."
    ),
    Options.optional
  ),
  tokenTtl: Options.text("token-ttl").pipe(
    Options.withPseudoName("duration"),
    Options.withDescription(
      "Lifetime of every seeded token (without its own expiresAt) and every issued one, e.g. 1h or 90s."
    ),
    Options.optional
  ),
  bodyLimit: Options.text("body-limit").pipe(
    Options.withPseudoName("size"),
    Options.withDescription("Largest accepted JSON body, e.g. 100kb (the default) or 1mb."),
    Options.optional
  ),
  explain: Options.boolean("explain").pipe(
    Options.withDescription("Add per-field issues to 400 bodies (Vercel sends none; for local debugging).")
  ),
  verbose: Options.boolean("verbose").pipe(Options.withDescription("Log every request on stdout."))
} as const

/** The parsed flags of `mkit serve`. */
export type ServeFlags = Command.Command.ParseConfig<typeof serveOptions>
