#!/usr/bin/env node
import { parseArgs } from "node:util"
import { type EmulatorServerOptions, startEmulatorServer } from "./EmulatorServer.js"
import type { ChaosOptions } from "./emulator/Chaos.js"

const USAGE = `Usage: mkit-emulator [options]

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

class UsageError extends Error {}

const number = (flag: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (raw.trim() === "" || !Number.isFinite(value))
    throw new UsageError(`--${flag}: expected a number, got "${raw}"`)
  return value
}

const options = (
  argv: ReadonlyArray<string>
): EmulatorServerOptions & { readonly help: boolean; readonly verbose: boolean } => {
  const { values } = parseArgs({
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
  })
  const port = number("port", values.port) ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: expected 0–65535, got ${port}`)
  const rps = number("rate-limit", values["rate-limit"])
  const burst = number("rate-limit-burst", values["rate-limit-burst"])
  const chaosSeed = number("chaos-seed", values["chaos-seed"])
  const chaos: ChaosOptions | undefined =
    chaosSeed === undefined
      ? undefined
      : {
          seed: chaosSeed,
          errorRate: number("chaos-error-rate", values["chaos-error-rate"]),
          dropRate: number("chaos-drop-rate", values["chaos-drop-rate"]),
          stallRate: number("chaos-stall-rate", values["chaos-stall-rate"]),
          latencyMs: number("chaos-latency-ms", values["chaos-latency-ms"])
        }
  if (chaos === undefined && Object.keys(values).some((key) => key.startsWith("chaos-"))) {
    throw new UsageError("--chaos-* options need --chaos-seed")
  }
  if (rps === undefined && burst !== undefined) throw new UsageError("--rate-limit-burst needs --rate-limit")
  return {
    help: values.help,
    verbose: values.verbose,
    port,
    host: values.host ?? "127.0.0.1",
    ...(values.seed === undefined ? {} : { seedFile: values.seed }),
    ...(values.data === undefined ? {} : { dataFile: values.data }),
    ...(values["admin-token"] === undefined ? {} : { adminToken: values["admin-token"] }),
    ...(rps === undefined
      ? {}
      : { rateLimit: { requestsPerSecond: rps, ...(burst === undefined ? {} : { burst }) } }),
    ...(chaos === undefined ? {} : { chaos }),
    ...(values["body-limit"] === undefined ? {} : { bodyLimit: values["body-limit"] })
  }
}

const main = async (): Promise<void> => {
  const parsed = options(process.argv.slice(2))
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const print = (line: string) => process.stdout.write(`${line}\n`)
  const server = await startEmulatorServer({ ...parsed, ...(parsed.verbose ? { log: print } : {}) })
  const { emulator } = server
  print(`listening on ${server.url}`)
  if (emulator.usesDemoSeed) {
    print("demo installations (built-in seed; pass --seed <file> for your own):")
    for (const { id, token } of emulator.installations) print(`  ${id}  token: ${token}`)
  } else {
    print(`installations: ${emulator.installations.map(({ id }) => id).join(", ")}`)
  }
  if (parsed.adminToken === undefined)
    print(`inspection API: ${server.url}/_emulator  admin token: ${emulator.adminToken}`)
  else print(`inspection API: ${server.url}/_emulator`)
  if (parsed.dataFile !== undefined)
    print(`data file: ${parsed.dataFile} (${emulator.state.sequence} writes replayed)`)

  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((error: unknown) => {
  const usage =
    error instanceof UsageError || (error as { code?: unknown }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
  process.stderr.write(`mkit-emulator: ${error instanceof Error ? error.message : String(error)}\n`)
  if (usage) process.stderr.write("run with --help for the options\n")
  process.exit(usage ? 2 : 1)
})
