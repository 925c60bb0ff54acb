import { parseArgs } from "node:util"
import type { EmulatorServerOptions } from "./EmulatorServer.js"
import type { ChaosOptions } from "./emulator/Chaos.js"

/** `mkit-emulator --help`. */
export const USAGE = `Usage: mkit-emulator [options]

A local Vercel Marketplace installation API (PATCH /v1/installations/:id, POST …/events).

  --port <n>                 port to listen on (default 0: a free port)
  --host <addr>              interface to bind (default 127.0.0.1)
  --seed <file>              seed file {"installations":[{"id","token"}]} (default: built-in demo seed)
  --data <file>              append-only data file; acknowledged writes survive kill -9
  --admin-token <token>      bearer token of the /_emulator inspection API (default: random, printed)
  --rate-limit <rps>         token-bucket rate limit per token, requests per second
  --rate-limit-burst <n>     bucket size (default: the rate)
  --chaos-seed <n>           enable seeded fault injection
  --chaos-error-rate <p>     probability of 500/502/503
  --chaos-drop-rate <p>      probability of a dropped connection
  --chaos-stall-rate <p>     probability of a request never answered
  --chaos-latency-ms <ms>    latency added to every request
  --body-limit <size>        largest JSON body (default 100kb)
  --verbose                  log every request on stdout
  --help                     show this help`

/** A command line the server cannot run with; the entry prints it and exits 2. */
export class UsageError extends Error {}

/** What the command line asks for. */
export interface ServerArgs {
  readonly help: boolean
  readonly verbose: boolean
  readonly options: EmulatorServerOptions
}

const number = (flag: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (raw.trim() === "" || !Number.isFinite(value))
    throw new UsageError(`--${flag}: expected a number, got "${raw}"`)
  return value
}

const parse = (argv: ReadonlyArray<string>) => {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        data: { type: "string" },
        "admin-token": { type: "string" },
        "rate-limit": { type: "string" },
        "rate-limit-burst": { type: "string" },
        "chaos-seed": { type: "string" },
        "chaos-error-rate": { type: "string" },
        "chaos-drop-rate": { type: "string" },
        "chaos-stall-rate": { type: "string" },
        "chaos-latency-ms": { type: "string" },
        "body-limit": { type: "string" },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", default: false }
      }
    }).values
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

/** Parses the standalone server's flags into emulator server options; throws `UsageError` naming the flag. */
export const parseServerArgs = (argv: ReadonlyArray<string>): ServerArgs => {
  const values = parse(argv)
  const port = number("port", values.port) ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: expected 0–65535, got ${port}`)
  const rps = number("rate-limit", values["rate-limit"])
  const burst = number("rate-limit-burst", values["rate-limit-burst"])
  if (rps === undefined && burst !== undefined) throw new UsageError("--rate-limit-burst needs --rate-limit")
  const chaosSeed = number("chaos-seed", values["chaos-seed"])
  if (chaosSeed === undefined && Object.keys(values).some((key) => key.startsWith("chaos-"))) {
    throw new UsageError("--chaos-* options need --chaos-seed")
  }
  const rate = (name: "error" | "drop" | "stall") =>
    number(`chaos-${name}-rate`, values[`chaos-${name}-rate`])
  const chaos: ChaosOptions | undefined =
    chaosSeed === undefined
      ? undefined
      : {
          seed: chaosSeed,
          errorRate: rate("error"),
          dropRate: rate("drop"),
          stallRate: rate("stall"),
          latencyMs: number("chaos-latency-ms", values["chaos-latency-ms"])
        }
  return {
    help: values.help,
    verbose: values.verbose,
    options: {
      port,
      host: values.host ?? "127.0.0.1",
      seedFile: values.seed,
      dataFile: values.data,
      adminToken: values["admin-token"],
      rateLimit: rps === undefined ? undefined : { requestsPerSecond: rps, burst },
      chaos,
      bodyLimit: values["body-limit"]
    }
  }
}
