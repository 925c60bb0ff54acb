import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** A request as the server received it. */
export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  /** Set when the client went away before the response was sent. */
  aborted: boolean
}

/** How to answer one request. */
export interface Reply {
  readonly status?: number
  readonly headers?: Record<string, string>
  /** Objects are sent as JSON, strings as they are. */
  readonly body?: unknown
  readonly delayMs?: number
  /** Never answer (the connection is closed when the server closes). */
  readonly hang?: boolean
  /** Drop the connection without an HTTP response. */
  readonly reset?: boolean
  /** Instead of `body`: this many bytes of filler, streamed in 64 KiB chunks as the client reads them. */
  readonly bodyBytes?: number
}

/** Picks the reply for the n-th request (0-based); a list repeats its last entry. */
export type Script = ReadonlyArray<Reply> | ((request: Recorded, index: number) => Reply)

/** A real HTTP server on 127.0.0.1 answering from a script and recording what it got. */
export interface TestServer {
  readonly url: string
  readonly port: number
  readonly requests: Array<Recorded>
  /** Resolves once `count` requests have arrived. */
  readonly received: (count: number) => Promise<void>
  readonly close: () => Promise<void>
}

const pick = (script: Script, request: Recorded, index: number): Reply =>
  typeof script === "function" ? script(request, index) : (script[Math.min(index, script.length - 1)] ?? {})

/** Starts a server on a free port of 127.0.0.1. */
export const startServer = async (script: Script): Promise<TestServer> => {
  const requests: Array<Recorded> = []
  const waiters: Array<{ count: number; resolve: () => void }> = []
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const recorded: Recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        aborted: false
      }
      const index = requests.push(recorded) - 1
      res.on("close", () => {
        if (!res.writableFinished) recorded.aborted = true
      })
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) waiter.resolve()
      const reply = pick(script, recorded, index)
      if (reply.reset) return req.socket.destroy()
      if (reply.hang) return
      const send = () => {
        const body =
          reply.body === undefined
            ? ""
            : typeof reply.body === "string"
              ? reply.body
              : JSON.stringify(reply.body)
        res.writeHead(reply.status ?? 204, {
          ...(typeof reply.body === "object" ? { "content-type": "application/json" } : {}),
          ...reply.headers
        })
        if (reply.bodyBytes === undefined) return res.end(body)
        const chunk = Buffer.alloc(64 * 1024, "x")
        let left = reply.bodyBytes
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
            left -= part.length
            if (!res.write(part)) return res.once("drain", pump)
          }
          if (!res.destroyed) res.end()
        }
        pump()
      }
      if (reply.delayMs === undefined) send()
      else setTimeout(send, reply.delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    received: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    }
  }
}

/** `startServer` as a scoped resource, closed when the scope ends. */
export const testServer = (script: Script): Effect.Effect<TestServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startServer(script)),
    (server) => Effect.promise(() => server.close())
  )

/** A port that refuses connections: bound once for a free number, then released. */
export const refusedPort = async (): Promise<number> => {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Whether the client dropped this request before its response was sent (waits up to a second to see it). */
export const wasAborted = async (request: Recorded | undefined): Promise<boolean> => {
  for (let i = 0; i < 200 && request?.aborted === false; i++)
    await new Promise((resolve) => setTimeout(resolve, 5))
  return request?.aborted === true
}
