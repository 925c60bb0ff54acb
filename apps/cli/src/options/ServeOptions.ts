import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { optionalSecret, optionalText, toggle } from "./Flag.js"

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
  seed: optionalText(
    "seed",
    "file",
    'Seed file {"installations":[{"id","token","expiresAt"?}]} (default: the built-in demo installations).'
  ),
  data: optionalText(
    "data",
    "file",
    "Append-only data file, locked by this process: every acknowledged write is kept there and replayed on start."
  ),
  adminToken: optionalSecret(
    "admin-token",
    "token",
    "Bearer token of the /_emulator inspection API (default: random, printed). Never printed."
  ),
  rateLimit: optionalText(
    "rate-limit",
    "rate",
    "Answer 429 above this rate per token and endpoint: 10/s, 10/s,burst=20, 10/s,retry-after=off."
  ),
  chaos: optionalText(
    "chaos",
    "settings",
    "Inject failures: seed=N,error=0.1,drop=0.05,stall=0.01,stall-ms=500,latency=20 (any subset; rates 0–1, latency in ms or a min-max range)."
  ),
  tokenTtl: optionalText(
    "token-ttl",
    "duration",
    "Lifetime of every seeded token (without its own expiresAt) and every issued one, e.g. 1h or 90s."
  ),
  bodyLimit: optionalText(
    "body-limit",
    "size",
    "Largest accepted JSON body, e.g. 100kb (the default) or 1mb."
  ),
  explain: toggle("explain", "Add per-field issues to 400 bodies (Vercel sends none; for local debugging)."),
  verbose: toggle("verbose", "Log every request on stdout.")
} as const

/** The parsed flags of `mkit serve`. */
export type ServeFlags = Command.Command.ParseConfig<typeof serveOptions>
