import * as HttpClient from "@effect/platform/HttpClient"
import {
  type ClientOptions,
  MarketplaceClient,
  type MarketplaceClientService,
  planRequest,
  type RequestPlan,
  type RetryOptions
} from "@marketplace-kit/client"
import { type MarketplaceEvent, routes, type UpdateInstallationBody } from "@marketplace-kit/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { parseDuration } from "./Durations.js"
import * as NodeTransport from "./NodeTransport.js"
import type { GlobalFlags } from "./options/GlobalOptions.js"
import type { CommandError } from "./Report.js"
import { UsageError } from "./UsageError.js"
import { version } from "./Version.js"

/** One API call: an update body or an event for an installation. */
export type Call =
  | { readonly operation: "updateInstallation"; readonly id: string; readonly input: UpdateInstallationBody }
  | { readonly operation: "createEvent"; readonly id: string; readonly input: MarketplaceEvent }

/** Client options from the global flags, without the token (which `--dry-run` does not need). */
export type Settings = Omit<ClientOptions, "token">

const duration = (flag: string, value: Option.Option<string>) =>
  Option.match(value, {
    onNone: () => Effect.succeed(undefined),
    onSome: (text) =>
      Either.match(parseDuration(flag, text), {
        onLeft: (message) => Effect.fail(new UsageError({ message })),
        onRight: Effect.succeed
      })
  })

/** Reads `--base-url`, `--timeout`, `--retries` and `--retry-delay` into client options. */
export const settings = (global: GlobalFlags): Effect.Effect<Settings, UsageError> =>
  Effect.gen(function* () {
    const timeout = yield* duration("timeout", global.timeout)
    const baseDelay = yield* duration("retry-delay", global.retryDelay)
    const retries = Option.getOrUndefined(global.retries)
    if (retries !== undefined && retries < 0) {
      return yield* new UsageError({ message: `--retries: expected 0 or more, received ${retries}` })
    }
    const retry: RetryOptions | false =
      retries === 0
        ? false
        : {
            maxAttempts: retries === undefined ? undefined : retries + 1,
            baseDelay
          }
    return {
      userAgent: `mkit/${version}`,
      retry,
      baseUrl: Option.getOrUndefined(global.baseUrl),
      timeout
    }
  })

/** The request a call becomes (validated by the client exactly as a real call would be). */
export const plan = (options: Settings, call: Call): Effect.Effect<RequestPlan, CommandError> =>
  planRequest(options, call.operation, call.id, call.input)

/** A client built from the flags, for the life of the scope; a missing token is a usage error. */
export const client = (
  global: GlobalFlags,
  options: Settings
): Effect.Effect<MarketplaceClientService, UsageError, Scope.Scope> =>
  Option.match(global.token, {
    onNone: () =>
      Effect.fail(
        new UsageError({ message: "no token: pass --token or set VERCEL_TOKEN (or use --dry-run)" })
      ),
    onSome: (token) =>
      Effect.flatMap(NodeTransport.make, (http) =>
        MarketplaceClient.make({ ...options, token }).pipe(Effect.provideService(HttpClient.HttpClient, http))
      )
  })

/** Sends a call with a client. */
export const send = (api: MarketplaceClientService, call: Call): Effect.Effect<void, CommandError> =>
  call.operation === "updateInstallation"
    ? api.updateInstallation(call.id, call.input)
    : api.createEvent(call.id, call.input)

/** What a dry run prints: the request as the client would send it. */
export const printPlan = (request: RequestPlan, json: boolean): Effect.Effect<void> =>
  json
    ? Console.log(JSON.stringify({ ok: true, dryRun: true, request }))
    : Console.log(
        [
          `${request.method} ${request.url}`,
          ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
          "",
          JSON.stringify(request.body, null, 2),
          "",
          "(dry run: nothing was sent)"
        ].join("\n")
      )

const describeCall = (call: Call) =>
  call.operation === "updateInstallation"
    ? `updated installation ${call.id}`
    : `sent ${call.input.type} event for installation ${call.id}`

/**
 * Runs one call as the single-request commands do: `--dry-run` prints the plan, otherwise
 * the call is sent and the outcome printed as a line (or one JSON object with `--json`).
 */
export const run = (global: GlobalFlags, call: Call): Effect.Effect<void, CommandError> =>
  Effect.gen(function* () {
    const options = yield* settings(global)
    const request = yield* plan(options, call)
    if (global.dryRun) return yield* printPlan(request, global.json)
    const api = yield* client(global, options)
    if (global.verbose) yield* Console.error(`mkit: ${request.method} ${request.url}`)
    const started = Date.now()
    yield* send(api, call)
    const status = routes[call.operation].successStatus
    if (global.verbose) yield* Console.error(`mkit: ${status} in ${Date.now() - started} ms`)
    yield* global.json
      ? Console.log(
          JSON.stringify({
            ok: true,
            operation: call.operation,
            id: call.id,
            method: request.method,
            path: request.path,
            status,
            body: request.body
          })
        )
      : Console.log(`${describeCall(call)} (${request.method} ${request.path} → ${status})`)
  }).pipe(Effect.scoped)
