import type { RequestHandler } from "express"
import type { ChangeFeed, EmulatorChange } from "./Changes.js"
import type { EmulatorStateView } from "./State.js"

/** Log entries a new stream starts with (the latest ones); older ones stay in `GET /_emulator/events`. */
export const STREAM_HISTORY = 500
// A reader this far behind gets its stream ended instead of an ever-growing buffer; it reconnects
// and starts again from a fresh snapshot.
const MAX_BUFFERED_BYTES = 1024 * 1024
const KEEPALIVE_MS = 15_000

/** What a stream sends first, and again after a reset. */
export const streamSnapshot = (state: EmulatorStateView) => ({
  sequence: state.sequence,
  installations: state.installations(),
  events: state.events({ since: Math.max(0, state.sequence - STREAM_HISTORY) })
})

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/**
 * `GET /_emulator/stream`: the emulator's changes as Server-Sent Events. It starts with a `snapshot`
 * (installations and the latest log entries), then sends a `write` per acknowledged write (the entry
 * and the installation as it now is) and a new `snapshot` after a reset. A comment line every 15 s
 * keeps proxies and idle timeouts from closing it.
 */
export const eventStream =
  (emulator: { readonly state: EmulatorStateView; readonly changes: ChangeFeed }): RequestHandler =>
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
      else if (change.type === "reset") send(frame("snapshot", streamSnapshot(emulator.state)))
      else {
        const installation = emulator.state.installation(change.entry.installationId)
        send(frame("write", { entry: change.entry, installation }))
      }
    }
    send(`retry: 1000\n${frame("snapshot", streamSnapshot(emulator.state))}`)
    const unsubscribe = emulator.changes.subscribe(relay)
    const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS).unref()
    const stop = (): void => {
      clearInterval(keepalive)
      unsubscribe()
    }
    res.once("close", stop)
  }
