import { once } from "node:events"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import express from "express"
import { createEmulator, type Emulator, type EmulatorOptions } from "./backends/emulator.js"
import { shapeParserErrors } from "./ParserErrors.js"

/** Options of {@link startEmulatorServer}. */
export interface EmulatorServerOptions extends EmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number
  /** Interface to bind; default `"127.0.0.1"`. */
  readonly host?: string
  /** Receives one line per request (`PATCH /v1/installations/icfg_x 204 2ms`); tokens are never in it. */
  readonly log?: (line: string) => void
}

/** A running emulator. */
export interface EmulatorServer {
  /** Base URL, e.g. `http://127.0.0.1:4010`; use it as the client's `baseUrl` or the SDK's `serverURL`. */
  readonly url: string
  readonly port: number
  readonly emulator: Emulator
  /** Stops listening, drops open connections and closes the data file. */
  close(): Promise<void>
}

/** Starts an emulator on an HTTP server (127.0.0.1 and a free port unless told otherwise). */
export const startEmulatorServer = async (options: EmulatorServerOptions = {}): Promise<EmulatorServer> => {
  const { port = 0, host = "127.0.0.1", log } = options
  const emulator = createEmulator(options)
  const app = express()
  app.disable("x-powered-by")
  if (log !== undefined) {
    app.use((req, res, next) => {
      const started = performance.now()
      res.once("close", () => {
        const ms = Math.round(performance.now() - started)
        log(`${req.method} ${req.originalUrl} ${res.headersSent ? res.statusCode : "dropped"} ${ms}ms`)
      })
      next()
    })
  }
  app.use(emulator.router())
  const server = shapeParserErrors(createServer(app))
  server.listen(port, host)
  try {
    await once(server, "listening")
  } catch (error) {
    await emulator.close()
    throw error
  }
  const address = server.address() as AddressInfo
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address
  let closing: Promise<void> | undefined
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    emulator,
    close: () => {
      closing ??= (async () => {
        const closed = once(server, "close")
        server.close()
        server.closeAllConnections()
        await closed
        await emulator.close()
      })()
      return closing
    }
  }
}
