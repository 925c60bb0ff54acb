import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** How much of an error body is read; `{ error: { code, message } }` fits many times over. */
export const errorBodyLimit = 64 * 1024

const declaredLength = (response: HttpClientResponse.HttpClientResponse): number => {
  const header = response.headers["content-length"]
  return header === undefined ? Number.NaN : Number(header)
}

/** The first `errorBodyLimit` bytes of `chunks` as text. @internal */
export const capped = (chunks: ReadonlyArray<Uint8Array>): string => {
  const bytes = new Uint8Array(
    Math.min(
      errorBodyLimit,
      chunks.reduce((n, c) => n + c.length, 0)
    )
  )
  let offset = 0
  for (const chunk of chunks) {
    if (offset >= bytes.length) break
    bytes.set(chunk.subarray(0, bytes.length - offset), offset)
    offset += chunk.length
  }
  return new TextDecoder().decode(bytes)
}

/**
 * Reads a success body without keeping it: to its end when it fits `errorBodyLimit` (so the
 * connection can be reused), else the stream is cancelled past the limit, which closes the
 * connection. Vercel's successes are empty or tiny; reading a big one whole would not be kept, yet its
 * chunks are garbage the runtime collects late (measured on Node 24: a 50 MB body drained whole grew
 * RSS by 88 MB; 49–65 MB on Node 20), and the attempt would wait for all of it.
 * @internal
 */
export const drain = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  response.status === 204 || declaredLength(response) <= errorBodyLimit
    ? Effect.ignore(response.arrayBuffer)
    : Effect.ignore(readStream(response.stream, errorBodyLimit, false))

/**
 * The first `errorBodyLimit` bytes of a body as text; the rest is never read (the stream is
 * cancelled, which closes the connection). Empty when the body cannot be read.
 * @internal
 */
export const readCapped = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  declaredLength(response) <= errorBodyLimit
    ? Effect.orElseSucceed(response.text, () => "")
    : Effect.orElseSucceed(Effect.map(readStream(response.stream, errorBodyLimit, true), capped), () => "")

// `readWeb`'s rule on an Effect `Stream` (the body of any other HttpClient's response): to its end
// within `limit`, else up to past it; the fold then stops, which cancels the stream.
const readStream = <E>(stream: Stream.Stream<Uint8Array, E>, limit: number, keep: boolean) =>
  Effect.map(
    Stream.runFoldWhile(
      stream,
      { chunks: [] as Array<Uint8Array>, size: 0 },
      (read) => read.size <= limit,
      (read, chunk) => {
        if (keep) read.chunks.push(chunk)
        read.size += chunk.length
        return read
      }
    ),
    (read) => read.chunks
  )

// Reads `body` to its end if it fits `limit` bytes (so the connection can be reused), else up to past
// the limit and cancels the rest, which closes the connection; keeps the chunks only when `keep`.
// Interrupting it (a timeout) cancels the read.
const readWeb = (body: ReadableStream<Uint8Array> | null, limit: number, keep: boolean) =>
  Effect.tryPromise({
    try: async (signal) => {
      const chunks: Array<Uint8Array> = []
      if (body === null) return chunks
      const reader = body.getReader()
      const cancel = () => void reader.cancel().catch(() => {})
      signal.addEventListener("abort", cancel)
      try {
        for (let size = 0; size <= limit; ) {
          const { done, value } = await reader.read()
          if (done) return chunks
          if (keep) chunks.push(value)
          size += value.length
        }
        cancel()
        return chunks
      } finally {
        signal.removeEventListener("abort", cancel)
      }
    },
    catch: (cause) => cause
  })

/**
 * `drain` for a web `ReadableStream` body (what `fetch` gives): the same rule, read with a plain
 * reader rather than an Effect `Stream`. A success body is never kept, and Vercel's are empty or tiny.
 * @internal
 */
export const drainWeb = (body: ReadableStream<Uint8Array> | null): Effect.Effect<void> =>
  Effect.ignore(readWeb(body, errorBodyLimit, false))

/** `readCapped` for a web `ReadableStream` body. @internal */
export const readCappedWeb = (body: ReadableStream<Uint8Array> | null): Effect.Effect<string> =>
  Effect.orElseSucceed(Effect.map(readWeb(body, errorBodyLimit, true), capped), () => "")
