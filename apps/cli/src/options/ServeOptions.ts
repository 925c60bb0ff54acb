import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"

/** Flags of `mkit serve`. */
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
      'Seed file {"installations":[{"id","token"}]} (default: the built-in demo installations).'
    ),
    Options.optional
  ),
  data: Options.text("data").pipe(
    Options.withPseudoName("file"),
    Options.withDescription(
      "Append-only data file: every acknowledged write is kept there and replayed on start."
    ),
    Options.optional
  ),
  rateLimit: Options.text("rate-limit").pipe(
    Options.withPseudoName("rate"),
    Options.withDescription("Answer 429 above this rate, e.g. 10/s or 10/s,burst=20."),
    Options.optional
  ),
  chaos: Options.text("chaos").pipe(
    Options.withPseudoName("settings"),
    Options.withDescription(
      "Inject failures: seed=N,error=0.1,drop=0.05,stall=0.01,stall-ms=500,latency=20 (any subset; rates 0–1, latency in ms or a min-max range)."
    ),
    Options.optional
  )
} as const

/** The parsed flags of `mkit serve`. */
export type ServeFlags = Command.Command.ParseConfig<typeof serveOptions>
