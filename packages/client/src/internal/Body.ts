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
 * Reads a success body to its end without keeping it (so the connection can be reused). A body of
 * declared small size, the usual empty one, is read in one go; any other is streamed and dropped.
 * @internal
 */
export const drain = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  response.status === 204 || declaredLength(response) <= errorBodyLimit
    ? Effect.ignore(response.arrayBuffer)
    : Effect.ignore(Stream.runDrain(response.stream))

/**
 * The first `errorBodyLimit` bytes of a body as text; the rest is never read (the stream is
 * cancelled, which closes the connection). Empty when the body cannot be read.
 * @internal
 */
export const readCapped = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  declaredLength(response) <= errorBodyLimit
    ? Effect.orElseSucceed(response.text, () => "")
    : response.stream.pipe(
        Stream.runFoldWhile(
          { chunks: [] as Array<Uint8Array>, size: 0 },
          (read) => read.size < errorBodyLimit,
          (read, chunk) => {
            read.chunks.push(chunk)
            return { chunks: read.chunks, size: read.size + chunk.length }
          }
        ),
        Effect.map(({ chunks }) => capped(chunks)),
        Effect.orElseSucceed(() => "")
      )
