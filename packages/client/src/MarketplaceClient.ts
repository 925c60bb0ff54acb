import * as HttpClient from "@effect/platform/HttpClient"
import {
  formatIssues,
  type MarketplaceEvent,
  type Notification,
  type Operation,
  parseVercelError,
  type UpdateInstallationBody,
  type ValidationIssue
} from "@marketplace-kit/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Tracer from "effect/Tracer"
import { optionIssues, tokenIssue } from "./internal/Options.js"
import { scrubber, scrubDeep } from "./internal/Scrub.js"
import * as TokenCache from "./internal/TokenCache.js"
import * as Transport from "./internal/Transport.js"
import { timeoutFail } from "./internal/timeoutFail.js"
import {
  attemptsText,
  errorForStatus,
  type MarketplaceError,
  Timeout,
  TokenError,
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

/**
 * A per-installation token lookup, as Vercel issues tokens (one per installation, short-lived ones
 * re-fetched by the partner). Called once per installation and kept for the client's lifetime;
 * called again when the server refuses the token (401, or 403 with `invalidToken: true`).
 */
export type TokenSource = (installationId: string) => Effect.Effect<Redacted.Redacted<string>, unknown>

/** How to reach the API and how hard to try. */
export interface ClientOptions extends PlanOptions {
  /** Vercel access token, or a `TokenSource`; only ever read into the `Authorization` header. */
  readonly token: Redacted.Redacted<string> | TokenSource
  /** Default `https://api.vercel.com`; may carry a path prefix (e.g. a proxy), never credentials, a query or a fragment. */
  readonly baseUrl?: string
  /** Per attempt, response body included, and never past `retry.maxElapsed` (default 10 s). */
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

// What a request needs from its token: the headers carrying it, and a scrubber for what the server sends back.
interface Credential {
  readonly headers: Readonly<Record<string, string>>
  readonly scrub: (text: string) => string
}

const credential = (options: PlanOptions, token: string): Credential | string =>
  tokenIssue(token) ?? {
    headers: requestHeaders(options, token),
    scrub: scrubber(token)
  }

// A token the server refused: the one refresh a call gets is worth it.
const refusesToken = (error: MarketplaceError): boolean =>
  error._tag === "Unauthorized" || (error._tag === "Forbidden" && error.body?.invalidToken === true)

/**
 * The client on a transport: the one request path of both APIs (`fromHttpClient` for Effect users,
 * the Promise facade on plain fetch).
 * @internal
 */
export const fromTransport = (
  transport: Transport.Transport,
  options: ClientOptions
): MarketplaceClientService => {
  const issues: Array<ValidationIssue> = [...optionIssues(options)]
  // With bad options no call sends anything, so nothing here may throw on them.
  const policy = issues.length > 0 ? Retry.defaultRetryPolicy : Retry.retryPolicy(options.retry)
  const maxElapsedMs = Duration.toMillis(policy.maxElapsed)
  const timeoutMs =
    issues.length > 0 ? 0 : Duration.toMillis(Duration.decode(options.timeout ?? defaultTimeout))
  const source = Redacted.isRedacted(options.token) ? undefined : options.token
  // A static token is prepared once: every request of this client carries the same headers.
  const fixed = Redacted.isRedacted(options.token)
    ? credential(options, Redacted.value(options.token))
    : undefined
  if (typeof fixed === "string") issues.push({ path: "token", message: fixed })
  else if (options.token === undefined) issues.push({ path: "token", message: "is required" })
  const tokens =
    source === undefined ? undefined : TokenCache.make(source, (token) => credential(options, token))

  // Plain code until the first request; per attempt the success path runs as few effects as it can.
  const send = (
    plan: RequestPlan,
    id: string,
    span: Tracer.Span,
    clock: Clock.Clock,
    startedAt: number
  ): Effect.Effect<void, MarketplaceError> => {
    const { method, path } = plan
    const logAnnotations = { operation: plan.operation, installationId: id }
    const refuse = (issues: ReadonlyArray<ValidationIssue>) =>
      Effect.fail(new ValidationError({ method, path, attempts: 0, issues, message: formatIssues(issues) }))
    if (issues.length > 0) return refuse(issues)
    let json: string
    try {
      json = JSON.stringify(plan.body)
    } catch {
      return refuse([{ path: "body", message: "is not serializable as JSON" }])
    }
    // Per call, read by every attempt's error and by the call's span at the end.
    const progress = { attempts: 0, status: undefined as number | undefined }

    // Annotated here rather than around the whole call: it is the client's only log line, and a
    // log-annotation scope per call costs more than the rest of its bookkeeping.
    const failed = (error: MarketplaceError) =>
      Effect.andThen(
        Effect.annotateLogs(
          Effect.logDebug(`attempt ${progress.attempts} failed: ${error.message}`),
          logAnnotations
        ),
        Effect.fail(error)
      )

    const fromResponse = (response: Transport.Response, { scrub }: Credential) =>
      Effect.gen(function* () {
        const text = yield* response.readCapped
        const now = yield* Clock.currentTimeMillis
        // Scrubbed after parsing too: JSON may spell the token with escapes that only parsing resolves.
        const parsed = parseVercelError(scrub(text))
        const vercel = parsed === undefined ? undefined : scrubDeep(parsed, scrub)
        const vercelId = response.headers["x-vercel-id"]
        const requestId = vercelId === undefined ? undefined : scrub(vercelId)
        const retryAfter = Retry.retryHint(response.status, response.headers, vercel, now)
        const outcome = [response.status, vercel?.code].filter((part) => part !== undefined).join(" ")
        const notes = [
          ...(requestId === undefined ? [] : [`request id ${requestId}`]),
          ...(retryAfter === undefined ? [] : [`retry after ${Duration.format(retryAfter)}`]),
          ...(response.status >= 300 && response.status < 400 ? ["redirects are not followed"] : []),
          attemptsText(progress.attempts)
        ]
        return errorForStatus(
          {
            method,
            path,
            attempts: progress.attempts,
            status: response.status,
            message: `${method} ${path} → ${outcome}${vercel?.message ? `: ${vercel.message}` : ""} (${notes.join(", ")})`,
            body: vercel,
            code: vercel?.code,
            requestId
          },
          retryAfter
        )
      })

    const transportError = (error: Transport.Failure, { scrub }: Credential) =>
      new TransportError({
        method,
        path,
        attempts: progress.attempts,
        message: scrub(
          `${method} ${path} → ${error.reason} error: ${describeCause(error.cause)} (${attemptsText(progress.attempts)})`
        )
      })

    const timedOut = (millis: number) => () =>
      failed(
        new Timeout({
          method,
          path,
          attempts: progress.attempts,
          message: `${method} ${path} → no response within ${Duration.format(Duration.millis(millis))}${millis < timeoutMs ? " (what was left of retry.maxElapsed)" : ""} (${attemptsText(progress.attempts)})`
        })
      )

    const exchange = (
      request: Effect.Effect<Transport.Response, Transport.Failure>,
      credential: Credential,
      attemptSpan: Tracer.Span
    ) =>
      Effect.matchEffect(request, {
        onFailure: (error) => failed(transportError(error, credential)),
        onSuccess: (response) => {
          progress.status = response.status
          attemptSpan.attribute("http.response.status_code", response.status)
          return response.status >= 200 && response.status < 300
            ? response.drain
            : Effect.flatMap(fromResponse(response, credential), failed)
        }
      })

    // Every attempt with one token, retried by `Retry.schedule`; its budget counts from `startedAt`.
    const attempts = (credential: Credential, clock: Clock.Clock, startedAt: number) => {
      const request = transport({ method, url: plan.url, headers: credential.headers, body: json })
      const attempt = Effect.suspend(() => {
        progress.attempts++
        progress.status = undefined
        // The attempt never outlives the call's budget.
        const left = maxElapsedMs - (clock.unsafeCurrentTimeMillis() - startedAt)
        const millis = Math.max(0, Math.min(timeoutMs, left))
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
              "marketplace.attempt": progress.attempts
            }
          },
          (attemptSpan) =>
            Effect.withParentSpan(
              timeoutFail(exchange(request, credential, attemptSpan), millis, timedOut(millis)),
              attemptSpan
            )
        )
      })
      // Effect.retry rather than a hand-driven Schedule.driver: against a server that always succeeds, calls
      // with the retry policy on cost the same CPU as calls with `retry: false`, which skip it (measured
      // 2026-12-02, 3,000 sequential calls × 3 rounds, twice: 1.04–1.28 against 1.04–1.42 ms per call).
      return policy.maxAttempts === 1 ? attempt : Effect.retry(attempt, Retry.schedule(policy, startedAt))
    }

    const tokenError = (failure: TokenCache.TokenFailure) =>
      new TokenError({
        method,
        path,
        attempts: progress.attempts,
        installationId: id,
        cause: failure.cause,
        message: `${method} ${path} → no token for installation ${id}: ${failure.reason}`
      })

    const sent =
      tokens === undefined
        ? attempts(fixed as Credential, clock, startedAt)
        : Effect.flatMap(Effect.mapError(tokens.get(id), tokenError), (first) =>
            // At most one refresh per call: a second refusal is the call's error.
            Effect.catchIf(attempts(first, clock, startedAt), refusesToken, () => {
              tokens.invalidate(id, first)
              return Effect.flatMap(Effect.mapError(tokens.get(id), tokenError), (fresh) =>
                attempts(fresh, clock, startedAt)
              )
            })
          )
    return Effect.ensuring(
      sent,
      Effect.sync(() => {
        span.attribute("marketplace.attempts", progress.attempts)
        if (progress.status !== undefined) span.attribute("http.response.status_code", progress.status)
      })
    )
  }

  const call = (operation: Operation, id: string, input: unknown): Effect.Effect<void, MarketplaceError> =>
    Effect.clockWith((clock) =>
      Effect.useSpan(
        `MarketplaceClient.${operation}`,
        {
          kind: "client",
          captureStackTrace: false,
          attributes: { "marketplace.operation": operation, "marketplace.installation_id": id }
        },
        (span) => {
          // `retry.maxElapsed` counts from here: the whole call, validation included.
          const startedAt = clock.unsafeCurrentTimeMillis()
          const plan = planRequest(options, operation, id, input)
          return Either.isLeft(plan) ? Effect.fail(plan.left) : send(plan.right, id, span, clock, startedAt)
        }
      )
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

/** Builds the client on a given `HttpClient` value; `MarketplaceClient.make` does the same with the one in context. */
export const fromHttpClient = (
  httpClient: HttpClient.HttpClient,
  options: ClientOptions
): MarketplaceClientService => fromTransport(Transport.fromHttpClient(httpClient), options)

// Pure so that a bundle of the Promise facade, which never uses it, drops it and the Layer and Config code it needs.
/** The client as a service: `yield* MarketplaceClient`, provided by `MarketplaceClient.layer` or `.layerConfig`. */
export class MarketplaceClient extends /* @__PURE__ */ Context.Tag(
  "@marketplace-kit/client/MarketplaceClient"
)<MarketplaceClient, MarketplaceClientService>() {
  /** Builds the client on the `HttpClient` in context (e.g. `FetchHttpClient.layer` or `NodeHttpClient.layer`). */
  static readonly make = (
    options: ClientOptions
  ): Effect.Effect<MarketplaceClientService, never, HttpClient.HttpClient> =>
    Effect.map(HttpClient.HttpClient, (httpClient) => fromHttpClient(httpClient, options))

  /** A layer providing `MarketplaceClient` with the given options. */
  static readonly layer = (
    options: ClientOptions
  ): Layer.Layer<MarketplaceClient, never, HttpClient.HttpClient> =>
    Layer.effect(MarketplaceClient, MarketplaceClient.make(options))

  /**
   * A layer from `Config` values: `token` defaults to `Config.redacted("VERCEL_TOKEN")`, `baseUrl`
   * to `VERCEL_API_URL` (else `https://api.vercel.com`); any other option may be given as a `Config`.
   */
  static readonly layerConfig = (
    options: Config.Config.Wrap<Partial<ClientOptions>> = {}
  ): Layer.Layer<MarketplaceClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
    Layer.effect(
      MarketplaceClient,
      Effect.flatMap(
        Config.unwrap<ClientOptions>({
          token: Config.redacted("VERCEL_TOKEN"),
          baseUrl: Config.withDefault(Config.string("VERCEL_API_URL"), defaultBaseUrl),
          ...options
        } as Config.Config.Wrap<ClientOptions>),
        MarketplaceClient.make
      )
    )
}
