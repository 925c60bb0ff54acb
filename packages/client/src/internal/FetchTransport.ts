import * as Effect from "effect/Effect"
import { capped, errorBodyLimit } from "./Body.js"
import type * as Transport from "./Transport.js"

// Reads `body` to its end if it fits `limit` bytes (so the connection can be reused), else up to past
// the limit and cancels the rest, which closes the connection; keeps the chunks only when `keep`.
// Interrupting it (a timeout) cancels the read.
const read = (body: ReadableStream<Uint8Array> | null, limit: number, keep: boolean) =>
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
 * The transport of `@marketplace-kit/client/promise`: global `fetch` and nothing of `@effect/platform`,
 * so a serverless cold start neither loads nor bundles it. Failures read as `FetchHttpClient`'s do.
 * @internal
 */
export const fetchTransport: Transport.Transport = (request) =>
  Effect.map(
    Effect.tryPromise({
      try: (signal) =>
        fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          redirect: "manual",
          signal
        }),
      catch: (cause): Transport.Failure => ({ reason: "Transport", cause })
    }),
    (response): Transport.Response => ({
      status: response.status,
      headers: Object.fromEntries(response.headers),
      // A success body is never kept, and Vercel's are empty or tiny: one far larger is not read whole.
      drain: Effect.ignore(read(response.body, errorBodyLimit, false)),
      readCapped: Effect.orElseSucceed(
        Effect.map(read(response.body, errorBodyLimit, true), capped),
        () => ""
      )
    })
  )
