import { afterEach } from "vitest"
import { type EmulatorServer, type EmulatorServerOptions, startEmulatorServer } from "../../src/index.js"

/** Two test installations and the inspection API's admin token. */
export const A = { id: "icfg_alpha", token: "tok_alpha" }
export const B = { id: "icfg_beta", token: "tok_beta" }
export const ADMIN = "admin_secret"

/** An `Authorization: Bearer` header. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

/** Vercel's 403 bodies for a missing token and for an invalid one. */
export const MISSING_TOKEN = {
  error: { code: "forbidden", message: "The request is missing an authentication token", missingToken: true }
}
export const INVALID_TOKEN = { error: { code: "forbidden", message: "Not authorized", invalidToken: true } }

/** A starter of emulator servers with A and B on 127.0.0.1; each is closed after its test. */
export const emulatorStarter = () => {
  let servers: Array<EmulatorServer> = []
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()))
    servers = []
  })
  return async (options: EmulatorServerOptions = {}): Promise<EmulatorServer> => {
    const server = await startEmulatorServer({ installations: [A, B], adminToken: ADMIN, ...options })
    servers.push(server)
    return server
  }
}
