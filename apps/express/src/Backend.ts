import type { MarketplaceEvent, Operation, UpdateInstallationBody } from "@marketplace-kit/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { HttpError } from "./HttpError.js"

/**
 * What the router knows about a request. `token` is the caller's bearer token (or `undefined` when
 * the `Authorization` header is missing or not `Bearer <token>`); it is a non-enumerable property,
 * so logging or serializing the context never prints it.
 */
export interface RequestContext {
  readonly token: string | undefined
  /** Id of this request (the emulator also returns it as `x-vercel-id`). */
  readonly requestId: string
  /** Which route is being served. */
  readonly operation: Operation
  /** Aborted when the caller disconnects before the response is sent. */
  readonly signal: AbortSignal
}

/** What a backend fails with: an `HttpError` becomes that response; anything else is a bug (500). */
export type BackendError = HttpError

/**
 * An answer other than the route's own success status (200 / 201), e.g. 202 Accepted with the id
 * under which a write was stored for later delivery. Sent as JSON.
 */
export interface BackendResponse {
  readonly status: number
  readonly body: unknown
}

/**
 * A backend step may return a Promise, an Effect, or nothing (synchronous success); what it yields
 * may be a {@link BackendResponse} to answer instead of the route's success status.
 */
export type BackendResult = Promise<Answer> | Effect.Effect<Answer, BackendError> | undefined

// `void`, not `undefined`: backends written as `async () => { … }` return `Promise<void>`.
// biome-ignore lint/suspicious/noConfusingVoidType: see above
type Answer = void | BackendResponse

/** The logic behind the two routes; the router only parses, validates and calls these. */
export interface MarketplaceBackend {
  /**
   * Optional check run after the id is validated and before the body is read, so an unauthorized
   * caller gets 401/403/404 whatever it sent (as on Vercel).
   */
  authorize?(ctx: RequestContext, integrationConfigurationId: string): BackendResult
  /** Applies a validated update-installation body. */
  updateInstallation(
    ctx: RequestContext,
    integrationConfigurationId: string,
    body: UpdateInstallationBody
  ): BackendResult
  /** Records a validated event. */
  createEvent(ctx: RequestContext, integrationConfigurationId: string, event: MarketplaceEvent): BackendResult
}

// Every Effect carries its effect version under this key; one of another major version (or a
// look-alike) cannot be run by this runtime and must not be taken for success.
const EFFECT_VARIANCE = Symbol.for("effect/Effect")
const majorOf = (effect: unknown): string | undefined => {
  const version: unknown = (effect as Record<symbol, { readonly _V?: unknown } | undefined>)[EFFECT_VARIANCE]
    ?._V
  return typeof version === "string" ? version.split(".")[0] : undefined
}
const EFFECT_MAJOR = majorOf(Effect.void)

const isPromiseLike = (value: unknown): value is PromiseLike<Answer> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (typeof value !== "object") return typeof value
  const version = majorOf(value)
  return version === undefined ? "an object" : `an Effect of effect ${version}.x (this is ${EFFECT_MAJOR}.x)`
}

/**
 * Awaits what a backend step returned (yielding its `BackendResponse`, if any). An Effect runs until done or until `signal` aborts; its typed
 * failure is rethrown as is and a defect is rethrown as the underlying error. Anything but a Promise,
 * an Effect of this effect version, or `undefined` is a bug and throws an Error naming `operation`.
 */
export const runBackend = async (
  result: BackendResult,
  signal: AbortSignal,
  operation: string
): Promise<Answer> => {
  if (result === undefined) return
  if (isPromiseLike(result)) return await result
  if (!Effect.isEffect(result) || majorOf(result) !== EFFECT_MAJOR) {
    throw new TypeError(
      `backend.${operation} returned ${describe(result)}; expected a Promise, an Effect (effect ${EFFECT_MAJOR}.x) or undefined`
    )
  }
  const exit = await Effect.runPromiseExit(result, { signal })
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
}
