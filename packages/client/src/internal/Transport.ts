import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Body from "./Body.js"

/** One request as the client sends it: the body is JSON text, the header names lower-case. @internal */
export interface Request {
  readonly method: "PATCH" | "POST"
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A response whose body is not yet read: the client either drains it or reads its first bytes. @internal */
export interface Response {
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** Reads the body without keeping it: to its end when small (so the connection can be reused), as `Body.drain` does. */
  readonly drain: Effect.Effect<void>
  /** The first `Body.errorBodyLimit` bytes as text, the rest never read; empty when unreadable. */
  readonly readCapped: Effect.Effect<string>
}

/** Why no response came: `reason` as the platform names it (`Transport`…), `cause` what failed. @internal */
export interface Failure {
  readonly reason: string
  readonly cause: unknown
}

/**
 * How the client reaches the server, and all it needs of it: the effect of a request, run once per
 * attempt; interrupting it stops the exchange. It never follows redirects. The client's request
 * path (validation, retries, timeouts, error mapping, scrubbing) is written once on top of it.
 * @internal
 */
export type Transport = (request: Request) => Effect.Effect<Response, Failure>

// fetch follows redirects unless told not to; a followed 303 turns the PATCH into a GET elsewhere.
const manualRedirects: RequestInit = { redirect: "manual" }
const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.contextWithEffect((context: Context.Context<never>) => {
    const init = Context.getOption(context, FetchHttpClient.RequestInit)
    return Effect.provideService(
      effect,
      FetchHttpClient.RequestInit,
      Option.isNone(init) ? manualRedirects : { ...init.value, redirect: "manual" }
    )
  })

// `FetchHttpClient`'s responses wrap the web `Response` they came from (`source`, behind the interrupt
// wrapper's `original`). Reading that body with a plain reader skips an Effect `Stream` per call, which
// cost about 1 ms of CPU per chunked response (measured: the Effect API at 2.4–2.9 ms per call against
// 1.4–1.6 ms). Any other response, from any other client, is read through `response.stream`.
// A web `Response` is recognised by its shape, not with `instanceof Response`: the first read of that
// global makes Node load its bundled undici, about 15 ms at the start of a CLI that uses node:http.
const webResponse = (response: HttpClientResponse.HttpClientResponse): globalThis.Response | undefined => {
  const inner = (response as { readonly original?: unknown }).original ?? response
  const source = (inner as { readonly source?: Partial<globalThis.Response> | null }).source
  return typeof source?.bodyUsed === "boolean" &&
    (source.body === null || typeof source.body?.getReader === "function")
    ? (source as globalThis.Response)
    : undefined
}

/** Any `@effect/platform` `HttpClient` as a transport (fetch, Node's, undici, a user's own). @internal */
export const fromHttpClient = (httpClient: HttpClient.HttpClient): Transport => {
  // The platform's own HTTP span would end holding the request, whose headers serialize the token
  // in clear outside a fiber (e.g. in an exporter); the client opens a span of its own per attempt.
  const client = HttpClient.transform(
    HttpClient.withTracerDisabledWhen(httpClient, () => true),
    withoutRedirects
  )
  return (request) =>
    Effect.matchEffect(
      client.execute(
        HttpClientRequest.make(request.method)(request.url, {
          headers: Headers.fromInput(request.headers),
          // The same bytes and headers `HttpClientRequest.bodyJson` gives.
          body: HttpBody.text(request.body, "application/json")
        })
      ),
      {
        onFailure: (error) => Effect.fail({ reason: error.reason, cause: error.cause ?? error.description }),
        onSuccess: (response) => {
          const web = webResponse(response)
          return Effect.succeed({
            status: response.status,
            headers: response.headers,
            drain: web === undefined ? Body.drain(response) : Body.drainWeb(web.body),
            readCapped: web === undefined ? Body.readCapped(response) : Body.readCappedWeb(web.body)
          })
        }
      }
    )
}
