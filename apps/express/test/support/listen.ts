import { once } from "node:events"
import { createServer, type RequestListener } from "node:http"
import type { AddressInfo } from "node:net"

/** A real HTTP server on 127.0.0.1 and a free port. */
export interface Listening {
  readonly url: string
  readonly close: () => Promise<void>
}

/** Serves `app` on 127.0.0.1 until `close()`. */
export const listen = async (app: RequestListener): Promise<Listening> => {
  const server = createServer(app)
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = once(server, "close")
      server.close()
      server.closeAllConnections()
      await closed
    }
  }
}

/** Asserts-friendly view of a Vercel error body, or `undefined` when the text is not one. */
export const vercelErrorOf = (text: string): { code: string; message: string } | undefined => {
  try {
    const parsed: unknown = JSON.parse(text)
    const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error
    return typeof error?.code === "string" && typeof error.message === "string"
      ? { code: error.code, message: error.message }
      : undefined
  } catch {
    return undefined
  }
}
