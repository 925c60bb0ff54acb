import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import {
  type MarketplaceEvent,
  type Notification,
  type Operation,
  parseVercelError,
  type UpdateInstallationBody
} from "@marketplace-kit/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Tracer from "effect/Tracer"
import {
  errorForStatus,
  type MarketplaceError,
  Timeout,
  TransportError,
  ValidationError
} from "./MarketplaceError.js"
import {
  defaultBaseUrl,
  type PlanOptions,
  planRequest,
  type RequestPlan,
  requestHeaders
} from "./RequestPlan.js"
import * as Retry from "./Retry.js"

/** How to reach the API and how hard to try. */
export interface ClientOptions extends PlanOptions {
  /** Vercel access token; only ever read into the `Authorization` header. */
  readonly token: Redacted.Redacted<string>
  /** Default `https://api.vercel.com`; may carry a path prefix (e.g. a proxy). */
  readonly baseUrl?: string
  /** Per attempt, response body included (default 10 s). */
  readonly timeout?: Duration.DurationInput
  /** Retry policy; `false` sends each call once. On by default, see `RetryOptions`. */
  readonly retry?: Retry.RetryOptions | false
  /** `User-Agent` header (default `marketplace-kit`). */
  readonly userAgent?: string
}

/** Per-attempt timeout when none is given. */
export const defaultTimeout: Duration.Duration = Duration.seconds(10)

/** The client's calls. Every one validates before sending and fails only with a `MarketplaceError`. */
export interface MarketplaceClientService {
  /** `PATCH /v1/installations/{id}`; succeeds on 204. */
  readonly updateInstallation: (
    id: string,
    body: UpdateInstallationBody
  ) => Effect.Effect<void, MarketplaceError>
  /** `POST /v1/installations/{id}/events` with `{ event }`; succeeds on 201. */
  readonly createEvent: (id: string, event: MarketplaceEvent) => Effect.Effect<void, MarketplaceError>
  /** Shows a notification on the installation (an update with only `notification`). */
  readonly setNotification: (id: string, notification: Notification) => Effect.Effect<void, MarketplaceError>
  /** Removes the installation's notification (an update with `notification: null`). */
  readonly clearNotification: (id: string) => Effect.Effect<void, MarketplaceError>
  /** Sends an `installation.updated` event. */
  readonly installationUpdated: (id: string, billingPlanId?: string) => Effect.Effect<void, MarketplaceError>
  /** Sends a `resource.updated` event. */
  readonly resourceUpdated: (
    id: string,
    resourceId: string,
    productId?: string
  ) => Effect.Effect<void, MarketplaceError>
}

// Characters fetch refuses in a header value; its error would quote the whole value, token included.
const UNSAFE_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

const describeCause = (cause: unknown): string => {
  const parts: Array<string> = []
  for (let current = cause, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    const text = current.message || (typeof code === "string" ? code : current.name)
    if (text !== parts.at(-1)) parts.push(text)
    current = current.cause
  }
  return parts.length > 0 ? parts.join(": ") : String(cause)
}

const plural = (n: number) => `${n} attempt${n === 1 ? "" : "s"}`

const MAX_TIMER_MS = 2 ** 31 - 1

// Effect's own real-time clock; any other (e.g. a TestClock) gets `Effect.timeoutTo`, which runs on it.
const liveClock = Effect.runSync(Effect.clock)

/**
 * `Effect.timeoutFail` for the hot path: it races two forked fibers (the effect and a sleeper) and
 * then interrupts and awaits the loser, which cost more CPU than the rest of a call. Here, on the
 * live clock, only the effect is forked and a plain timer interrupts it; an interruption of the
 * caller reaches it too.
 */
const timeoutFail = <A, E, E2>(
  effect: Effect.Effect<A, E>,
  clock: Clock.Clock,
  timeout: Duration.Duration,
  onTimeout: () => Effect.Effect<never, E2>
): Effect.Effect<A, E | E2> => {
  const millis = Duration.toMillis(timeout)
  // Node fires longer timers at once; such a timeout can never be reached anyway.
  if (!(millis <= MAX_TIMER_MS)) return effect
  if (clock !== liveClock) {
    return Effect.flatten(
      Effect.timeoutTo(effect, { duration: timeout, onSuccess: Effect.succeed, onTimeout })
    )
  }
  return Effect.flatMap(Effect.fork(effect), (child) =>
    Effect.async<A, E | E2>((resume) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const onDone = (exit: Exit.Exit<A, E>) => {
        clearTimeout(timer)
        resume(exit)
      }
      child.addObserver(onDone)
      timer = setTimeout(() => {
        child.removeObserver(onDone)
        resume(Effect.zipRight(Fiber.interrupt(child), onTimeout()))
      }, millis)
      return Effect.suspend(() => {
        clearTimeout(timer)
        child.removeObserver(onDone)
        return Fiber.interrupt(child)
      })
    })
  )
}

/** Builds the client on a given `HttpClient` value; `make` does the same with the one in context. */
export const fromHttpClient = (
  httpClient: HttpClient.HttpClient,
  options: ClientOptions
): MarketplaceClientService => {
  // The platform's own HTTP span would end holding the request, whose headers serialize the token
  // in clear outside a fiber (e.g. in an exporter); each attempt gets a span of ours instead.
  const client = HttpClient.withTracerDisabledWhen(httpClient, () => true)
  const policy = Retry.retryPolicy(options.retry)
  const timeout = Duration.decode(options.timeout ?? defaultTimeout)
  const secret = Redacted.value(options.token)
  // Built once: every request of this client carries the same headers.
  const headers = Headers.fromInput(requestHeaders(options, secret))
  // A server may echo what it was sent; whatever we keep from it is scrubbed of the token.
  const scrub = (text: string) => (secret === "" ? text : text.replaceAll(secret, "<redacted>"))
  const tokenIssue =
    secret === ""
      ? "must not be empty"
      : UNSAFE_HEADER_VALUE.test(secret)
        ? "contains characters not allowed in an HTTP header"
        : undefined

  // Plain code until the first request; per attempt the success path runs as few effects as it can.
  const send = (plan: RequestPlan, id: string, span: Tracer.Span): Effect.Effect<void, MarketplaceError> => {
    const { method, path } = plan
    const logAnnotations = { operation: plan.operation, installationId: id }
    const refuse = (field: string, message: string) =>
      new ValidationError({
        method,
        path,
        attempts: 0,
        issues: [{ path: field, message }],
        message: `${field}: ${message}`
      })
    if (tokenIssue !== undefined) return Effect.fail(refuse("token", tokenIssue))
    let json: string
    try {
      json = JSON.stringify(plan.body)
    } catch {
      return Effect.fail(refuse("body", "is not serializable as JSON"))
    }
    // The same bytes and headers `HttpClientRequest.bodyJson` gives, so any HttpClient reads it as before.
    const request = HttpClientRequest.make(method)(plan.url, {
      headers,
      body: HttpBody.text(json, "application/json")
    })
    let attempts = 0
    let status: number | undefined

    // Annotated here rather than around the whole call: it is the client's only log line, and a
    // log-annotation scope per call costs more than the rest of its bookkeeping.
    const failed = (error: MarketplaceError) =>
      Effect.zipRight(
        Effect.annotateLogs(Effect.logDebug(`attempt ${attempts} failed: ${error.message}`), logAnnotations),
        Effect.fail(error)
      )

    const fromResponse = (response: HttpClientResponse.HttpClientResponse) =>
      Effect.gen(function* () {
        const text = yield* Effect.orElseSucceed(response.text, () => "")
        const now = yield* Clock.currentTimeMillis
        const body = parseVercelError(scrub(text))
        const vercelId = response.headers["x-vercel-id"]
        const requestId = vercelId === undefined ? undefined : scrub(vercelId)
        const retryAfter = Retry.parseRetryAfter(response.headers, now)
        const outcome = [response.status, body?.code].filter((part) => part !== undefined).join(" ")
        const notes = [
          ...(requestId === undefined ? [] : [`request id ${requestId}`]),
          ...(retryAfter === undefined ? [] : [`retry after ${Duration.format(retryAfter)}`]),
          plural(attempts)
        ]
        return errorForStatus(
          {
            method,
            path,
            attempts,
            status: response.status,
            message: `${method} ${path} → ${outcome}${body?.message ? `: ${body.message}` : ""} (${notes.join(", ")})`,
            ...(body === undefined ? {} : { body, code: body.code }),
            ...(requestId === undefined ? {} : { requestId })
          },
          retryAfter
        )
      })

    const fromTransport = (error: HttpClientError.HttpClientError) =>
      new TransportError({
        method,
        path,
        attempts,
        message: scrub(
          `${method} ${path} → ${error.reason} error: ${describeCause(error.cause ?? error.description)} (${plural(attempts)})`
        )
      })

    const onTimeout = () =>
      failed(
        new Timeout({
          method,
          path,
          attempts,
          message: `${method} ${path} → no response within ${Duration.format(timeout)} (${plural(attempts)})`
        })
      )

    const exchange = (attemptSpan: Tracer.Span) =>
      Effect.matchEffect(client.execute(request), {
        onFailure: (error) => failed(fromTransport(error)),
        onSuccess: (response) => {
          status = response.status
          attemptSpan.attribute("http.response.status_code", response.status)
          return response.status >= 200 && response.status < 300
            ? Effect.ignore(response.arrayBuffer)
            : Effect.flatMap(fromResponse(response), failed)
        }
      })

    const attempt = (clock: Clock.Clock) =>
      Effect.suspend(() => {
        attempts++
        status = undefined
        return Effect.useSpan(
          "MarketplaceClient.attempt",
          {
            kind: "client",
            captureStackTrace: false,
            // Named rather than inherited: providing the call's span as a parent would cost a context change.
            parent: span,
            attributes: {
              "http.request.method": method,
              "url.full": plan.url,
              "marketplace.attempt": attempts
            }
          },
          (attemptSpan) =>
            Effect.withParentSpan(timeoutFail(exchange(attemptSpan), clock, timeout, onTimeout), attemptSpan)
        )
      })

    return Effect.clockWith((clock) => {
      const first = attempt(clock)
      const startedAt = clock.unsafeCurrentTimeMillis()
      // The retry schedule is only built once an attempt has failed: most calls never need it.
      const retried =
        policy.maxAttempts === 1
          ? first
          : Effect.catchAll(first, (error) =>
              Effect.flatMap(Schedule.driver(Retry.schedule(policy, startedAt)), (driver) => {
                const retry = (last: MarketplaceError): Effect.Effect<void, MarketplaceError> =>
                  Effect.matchEffect(driver.next(last), {
                    onFailure: () => Effect.fail(last),
                    onSuccess: () => Effect.catchAll(first, retry)
                  })
                return retry(error)
              })
            )
      return Effect.ensuring(
        retried,
        Effect.sync(() => {
          span.attribute("marketplace.attempts", attempts)
          if (status !== undefined) span.attribute("http.response.status_code", status)
        })
      )
    })
  }

  const call = (operation: Operation, id: string, input: unknown): Effect.Effect<void, MarketplaceError> =>
    Effect.useSpan(
      `MarketplaceClient.${operation}`,
      {
        kind: "client",
        captureStackTrace: false,
        attributes: { "marketplace.operation": operation, "marketplace.installation_id": id }
      },
      (span) => {
        const plan = planRequest(options, operation, id, input)
        return Either.isLeft(plan) ? Effect.fail(plan.left) : send(plan.right, id, span)
      }
    )

  const updateInstallation = (id: string, body: UpdateInstallationBody) =>
    call("updateInstallation", id, body)
  const createEvent = (id: string, event: MarketplaceEvent) => call("createEvent", id, event)
  return {
    updateInstallation,
    createEvent,
    setNotification: (id, notification) => updateInstallation(id, { notification }),
    clearNotification: (id) => updateInstallation(id, { notification: null }),
    installationUpdated: (id, billingPlanId) =>
      createEvent(
        id,
        billingPlanId === undefined
          ? { type: "installation.updated" }
          : { type: "installation.updated", billingPlanId }
      ),
    resourceUpdated: (id, resourceId, productId) =>
      createEvent(
        id,
        productId === undefined
          ? { type: "resource.updated", resourceId }
          : { type: "resource.updated", resourceId, productId }
      )
  } satisfies MarketplaceClientService
}

/** Builds the client on the `HttpClient` in context (e.g. `FetchHttpClient.layer` or `NodeHttpClient.layer`). */
export const make = (
  options: ClientOptions
): Effect.Effect<MarketplaceClientService, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (httpClient) => fromHttpClient(httpClient, options))

/** The client as a service: `yield* MarketplaceClient`, provided by `layer` or `layerConfig`. */
export class MarketplaceClient extends Context.Tag("@marketplace-kit/client/MarketplaceClient")<
  MarketplaceClient,
  MarketplaceClientService
>() {
  /** Same as the module's `make`. */
  static readonly make = (options: ClientOptions) => make(options)
  /** Same as the module's `layer`. */
  static readonly layer = (options: ClientOptions) => layer(options)
  /** Same as the module's `layerConfig`. */
  static readonly layerConfig = (options?: Omit<ClientOptions, "token" | "baseUrl">) => layerConfig(options)
}

/** A layer providing `MarketplaceClient` with the given options. */
export const layer = (options: ClientOptions): Layer.Layer<MarketplaceClient, never, HttpClient.HttpClient> =>
  Layer.effect(MarketplaceClient, make(options))

/** A layer reading the token from `VERCEL_TOKEN` (as `Redacted`) and the base URL from `VERCEL_API_URL`. */
export const layerConfig = (
  options: Omit<ClientOptions, "token" | "baseUrl"> = {}
): Layer.Layer<MarketplaceClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    MarketplaceClient,
    Effect.flatMap(
      Config.all({
        token: Config.redacted("VERCEL_TOKEN"),
        baseUrl: Config.withDefault(Config.string("VERCEL_API_URL"), defaultBaseUrl)
      }),
      (config) => make({ ...options, ...config })
    )
  )
