import * as Effect from "effect/Effect"
import * as Body from "./Body.js"
import type * as Transport from "./Transport.js"

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
      drain: Body.drainWeb(response.body),
      readCapped: Body.readCappedWeb(response.body)
    })
  )
