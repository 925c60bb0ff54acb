import type { RequestHandler } from "express"
import type { ChangeFeed, EmulatorChange } from "./Changes.js"
import type { ChaosOptions } from "./Chaos.js"
import type { RateLimitOptions } from "./RateLimiter.js"
import type { RequestLog } from "./RequestLog.js"
import type { EmulatorStateView } from "./State.js"

// Writes and requests a new stream starts with (the latest ones); older ones stay in the inspection API.
const STREAM_HISTORY = 500
// A reader this far behind gets its stream ended instead of an ever-growing buffer; it reconnects
// and starts again from a fresh snapshot.
const MAX_BUFFERED_BYTES = 1024 * 1024
const KEEPALIVE_MS = 15_000

/** What the stream reports on. */
export interface Streamable {
  readonly state: EmulatorStateView
  readonly requests: Pick<RequestLog, "list" | "last" | "subscribe">
  readonly rateLimit: RateLimitOptions | undefined
  readonly chaos: ChaosOptions | undefined
}

const settings = (emulator: Streamable) => ({
  rateLimit: emulator.rateLimit ?? null,
  chaos: emulator.chaos ?? null
})

// What a stream sends first, and again after a reset.
const streamSnapshot = (emulator: Streamable) => ({
  sequence: emulator.state.sequence,
  installations: emulator.state.installations(),
  events: emulator.state.events({ since: Math.max(0, emulator.state.sequence - STREAM_HISTORY) }),
  requests: emulator.requests.list({ since: Math.max(0, emulator.requests.last - STREAM_HISTORY) }),
  settings: settings(emulator)
})

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/**
 * `GET /_emulator/stream`: the emulator's changes as Server-Sent Events. It starts with a `snapshot`
 * (installations, the latest writes and requests, the rate-limit and chaos settings), then sends a
 * `write` per acknowledged write (the entry and the installation as it now is), a `request` per
 * answered request, `settings` when the rate limit or chaos change, and a new `snapshot` after a
 * reset. A comment line every 15 s keeps proxies and idle timeouts from closing it.
 */
export const eventStream =
  (emulator: Streamable, changes: ChangeFeed<EmulatorChange>): RequestHandler =>
  (_req, res) => {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no"
    })
    const send = (chunk: string): void => {
      if (res.writableLength > MAX_BUFFERED_BYTES) res.end()
      else res.write(chunk)
    }
    const relay = (change: EmulatorChange): void => {
      if (change.type === "closed") res.end()
      else if (change.type === "reset") send(frame("snapshot", streamSnapshot(emulator)))
      else if (change.type === "settings") send(frame("settings", settings(emulator)))
      else {
        const installation = emulator.state.installation(change.entry.installationId)
        send(frame("write", { entry: change.entry, installation }))
      }
    }
    send(`retry: 1000\n${frame("snapshot", streamSnapshot(emulator))}`)
    const stopChanges = changes.subscribe(relay)
    const stopRequests = emulator.requests.subscribe((record) => send(frame("request", record)))
    const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS).unref()
    res.once("close", () => {
      clearInterval(keepalive)
      stopChanges()
      stopRequests()
    })
  }
