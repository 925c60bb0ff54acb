import {
  type EmulatorServer,
  type EmulatorServerOptions,
  startEmulatorServer
} from "@marketplace-kit/express"
import { test as base } from "vitest"

/** Installations of the test emulator; the tokens are distinctive so a leak is easy to spot. */
export const INSTALLATION = "icfg_cli_test_1"
export const OTHER_INSTALLATION = "icfg_cli_test_2"
export const TOKEN = "mkit_cli_test_token_7f3a9c1e"
export const OTHER_TOKEN = "mkit_cli_test_token_other_42d1"

/** Starts an emulator on 127.0.0.1 (free port) with the two test installations. */
export const startEmulator = (options: EmulatorServerOptions = {}): Promise<EmulatorServer> =>
  startEmulatorServer({
    installations: [
      { id: INSTALLATION, token: TOKEN },
      { id: OTHER_INSTALLATION, token: OTHER_TOKEN }
    ],
    ...options
  })

/** The environment pointing mkit at an emulator with the test token. */
export const envFor = (server: EmulatorServer, token = TOKEN): Record<string, string> => ({
  VERCEL_API_URL: server.url,
  VERCEL_TOKEN: token
})

/** A vitest `test` whose `server` fixture is a fresh emulator per test, so tests can run concurrently. */
export const emulatorTest = base.extend<{ server: EmulatorServer }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads fixture dependencies from this pattern
  server: async ({}, use) => {
    const server = await startEmulator()
    await use(server)
    await server.close()
  }
})
