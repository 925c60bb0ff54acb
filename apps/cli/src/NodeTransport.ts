import type * as Http from "node:http"
import type * as Https from "node:https"
import { createRequire } from "node:module"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

// Loaded with require(): from Node 22 on, an ESM import of node:http reads every export, including its
// lazy `WebSocket`, which loads Node's bundled undici (about 15 ms of every CLI start).
const load = createRequire(import.meta.url)
const { Agent: HttpAgent, request: httpRequest } = load("node:http") as typeof Http
const { Agent: HttpsAgent, request: httpsRequest } = load("node:https") as typeof Https

// The CLI's HttpClient for `@marketplace-kit/client`: lighter than both alternatives. Internal to the
// CLI (the client's request path, retries and errors stay in the client): measured with `mkit bulk`
// (2,000 events, limit 500 req/s, 4 alternating runs on a loaded machine), `NodeHttpClient` with a
// keep-alive agent reached 0.81× of this transport's rate, outside the 10% it was allowed.

/** The most of a body that is kept; the rest is read and dropped (the client reads no more of an error). */
export const bodyLimit = 64 * 1024

// A response whose body has been read to its end, its first `bodyLimit` bytes kept: the client reads
// every body anyway (to drain a success, to parse an error), so reading it while the request is in
// flight costs nothing and the per-attempt timeout still covers it. A body cut short still yields the
// response (its status stands, as with a streamed body); only reading the body fails.
class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: Http.IncomingMessage,
    private readonly body: Buffer,
    private readonly failure: Option.Option<unknown>
  ) {
    super()
  }

  get status(): number {
    return this.source.statusCode ?? 0
  }

  get headers(): Headers.Headers {
    return Headers.fromInput(this.source.headers as Headers.Input)
  }

  get cookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(header)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.source.socket?.remoteAddress)
  }

  private decodeError(cause: unknown) {
    return new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      cause
    })
  }

  private read<A>(decode: (body: Buffer) => A): Effect.Effect<A, HttpClientError.ResponseError> {
    return Option.match(this.failure, {
      onNone: () => Effect.try({ try: () => decode(this.body), catch: (cause) => this.decodeError(cause) }),
      onSome: (cause) => Effect.fail(this.decodeError(cause))
    })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.read((body) => body.toString("utf8"))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return this.read((body) => {
      const text = body.toString("utf8")
      return text === "" ? null : (JSON.parse(text) as unknown)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return this.read((body) => UrlParams.fromInput(new URLSearchParams(body.toString("utf8"))))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.read((body) => new Uint8Array(body).buffer)
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.fromEffect(this.read((body) => new Uint8Array(body)))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.read(Uint8Array.from), (body) =>
      Effect.tryPromise({
        try: () =>
          new Response(body, {
            headers: new globalThis.Headers(this.source.headers as Record<string, string>)
          }).formData(),
        catch: (cause) => this.decodeError(cause)
      })
    )
  }

  override toJSON(): unknown {
    return IncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

interface Agents {
  readonly http: Http.Agent
  readonly https: Https.Agent
}

// What node:http can write in one go (nothing, text or bytes); undefined for any other body.
const payloadOf = (
  body: HttpBody.HttpBody
): { readonly data: string | Uint8Array | undefined } | undefined => {
  switch (body._tag) {
    case "Empty":
      return { data: undefined }
    case "Uint8Array":
      return { data: body.body }
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? { data: body.body }
        : undefined
    default:
      return undefined
  }
}

const send = (
  agents: Agents,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.async((resume) => {
    const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
    if (url._tag === "Left") {
      resume(
        Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
      )
      return
    }
    const payload = payloadOf(request.body)
    if (payload === undefined) {
      // The marketplace client only ever sends its JSON as text or bytes.
      resume(
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Encode",
            cause: `unsupported body: ${request.body._tag}`
          })
        )
      )
      return
    }
    let settled = false
    const settle = (
      effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
    ) => {
      if (settled) return
      settled = true
      resume(effect)
    }
    const options = { method: request.method, headers: request.headers }
    const nodeRequest =
      url.right.protocol === "https:"
        ? httpsRequest(url.right, { ...options, agent: agents.https })
        : httpRequest(url.right, { ...options, agent: agents.http })
    nodeRequest.on("error", (cause) =>
      settle(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
    )
    nodeRequest.on("response", (incoming) => {
      const chunks: Array<Buffer> = []
      let kept = 0
      incoming.on("data", (chunk: Buffer) => {
        if (kept >= bodyLimit) return
        const part = chunk.subarray(0, bodyLimit - kept)
        chunks.push(part)
        kept += part.length
      })
      const done = (failure: Option.Option<unknown>) =>
        settle(Effect.succeed(new BufferedResponse(request, incoming, Buffer.concat(chunks), failure)))
      incoming.on("error", (cause) => done(Option.some(cause)))
      incoming.on("end", () => done(Option.none()))
    })
    nodeRequest.end(payload.data)
    // Interrupted (e.g. by the per-attempt timeout): drop the request and its socket.
    return Effect.sync(() => {
      settled = true
      nodeRequest.destroy()
    })
  })

/**
 * An `HttpClient` straight on node:http/https with keep-alive agents closed with the scope.
 * `NodeHttpClient` costs about twice the CPU per request (two forked fibers, an AbortController
 * and a streamed body per call), which made `mkit bulk` CPU-bound well below a 500 req/s limit;
 * `fetch` also loads Node's bundled undici on first use (~100 ms of a cold start).
 */
export const make: Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.sync(
      (): Agents => ({
        http: new HttpAgent({ keepAlive: true }),
        https: new HttpsAgent({ keepAlive: true })
      })
    ),
    (agents) =>
      Effect.sync(() => {
        agents.http.destroy()
        agents.https.destroy()
      })
  ),
  (agents) =>
    HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
      (request) => Effect.flatMap(request, (resolved) => send(agents, resolved)),
      Effect.succeed
    )
)
