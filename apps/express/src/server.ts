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
  const { emulatorBanner } = await import("./Banner.js")
  const banner = emulatorBanner(server, {
    adminTokenGiven: options.adminToken !== undefined,
    dataFile: options.dataFile
  })
  for (const line of banner) print(line)
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
