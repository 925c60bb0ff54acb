#!/usr/bin/env node
import { parseServerArgs, USAGE, UsageError } from "./ServerArgs.js"

const print = (line: string) => process.stdout.write(`${line}\n`)

const main = async (): Promise<void> => {
  const { help, verbose, options } = parseServerArgs(process.argv.slice(2))
  if (help) {
    print(USAGE)
    return
  }
  // Loaded only now, so --help and flag mistakes answer without loading Express.
  const { startEmulatorServer } = await import("./EmulatorServer.js")
  const server = await startEmulatorServer({ ...options, ...(verbose ? { log: print } : {}) })
  const { emulator } = server
  print(`listening on ${server.url}`)
  if (emulator.usesDemoSeed) {
    print("demo installations (built-in seed; pass --seed <file> for your own):")
    for (const { id, token } of emulator.installations) print(`  ${id}  token: ${token}`)
  } else {
    print(`installations: ${emulator.installations.map(({ id }) => id).join(", ")}`)
  }
  // A generated admin token is printed, since nothing else could tell it; a given one never is.
  const admin = options.adminToken === undefined ? `  admin token: ${emulator.adminToken}` : ""
  print(`inspection API: ${server.url}/_emulator${admin}`)
  if (options.dataFile !== undefined) {
    print(`data file: ${options.dataFile} (${emulator.state.sequence} writes replayed)`)
  }
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
  const usage = error instanceof UsageError
  process.stderr.write(`mkit-emulator: ${error instanceof Error ? error.message : String(error)}\n`)
  if (usage) process.stderr.write("run with --help for the options\n")
  process.exit(usage ? 2 : 1)
})
