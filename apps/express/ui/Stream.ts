/** Where the stream stands, as the page's status line says it. */
export type Connection = "connecting" | "live" | "reconnecting" | "unauthorized"

/** One Server-Sent Event. */
export interface StreamMessage {
  readonly event: string
  readonly data: string
}

const MAX_DELAY_MS = 5000

// The SSE wire format: events end at a blank line; `event:`/`data:` fields; `:` lines are comments.
const parse = (block: string): StreamMessage | undefined => {
  let event = "message"
  const data: Array<string> = []
  for (const line of block.split("\n")) {
    const colon = line.indexOf(":")
    if (colon === 0) continue
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "")
    if (field === "event") event = value
    else if (field === "data") data.push(value)
  }
  return data.length === 0 ? undefined : { event, data: data.join("\n") }
}

/**
 * Follows `url` as Server-Sent Events and reconnects by itself (1 s, doubling up to 5 s) until
 * stopped. It reads with fetch rather than EventSource because EventSource cannot send an
 * `Authorization` header, and the token must not go into the URL.
 */
export const follow = (
  url: string,
  token: string,
  on: { message(message: StreamMessage): void; connection(state: Connection): void }
): (() => void) => {
  const controller = new AbortController()
  let delay = 1000
  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
          cache: "no-store",
          signal: controller.signal
        })
        if (response.status === 401 || response.status === 403) return on.connection("unauthorized")
        if (!response.ok || response.body === null) throw new Error(`stream answered ${response.status}`)
        on.connection("live")
        delay = 1000
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ""
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer = (buffer + value).replaceAll("\r\n", "\n")
          let end = buffer.indexOf("\n\n")
          while (end !== -1) {
            const message = parse(buffer.slice(0, end))
            buffer = buffer.slice(end + 2)
            if (message !== undefined) on.message(message)
            end = buffer.indexOf("\n\n")
          }
        }
      } catch {
        // A refused or dropped connection: wait and try again, below.
      }
      if (controller.signal.aborted) return
      on.connection("reconnecting")
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, MAX_DELAY_MS)
    }
  }
  on.connection("connecting")
  void run()
  return () => controller.abort()
}
