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

/** A backend step may return a Promise, an Effect, or nothing (synchronous success). */
export type BackendResult = Promise<void> | Effect.Effect<void, BackendError> | undefined

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

/**
 * Awaits a backend result. An Effect runs until done or until `signal` aborts; its typed failure is
 * rethrown as is and a defect is rethrown as the underlying error.
 */
export const runBackend = async (result: BackendResult, signal: AbortSignal): Promise<void> => {
  if (!Effect.isEffect(result)) return result
  const exit = await Effect.runPromiseExit(result, { signal })
  if (Exit.isSuccess(exit)) return
  const failure = Cause.failureOption(exit.cause)
  throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
}
