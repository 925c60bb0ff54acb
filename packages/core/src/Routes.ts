import * as z from "zod/mini"
import { CreateEventBody, type MarketplaceEvent } from "./Event.js"
import { IntegrationConfigurationId, UpdateInstallationBody } from "./Installation.js"

/** The two operations of the API, named as in `@vercel/sdk`. */
export type Operation = "updateInstallation" | "createEvent"

/** The JSON body each operation sends. */
export interface OperationBody {
  readonly updateInstallation: UpdateInstallationBody
  readonly createEvent: CreateEventBody
}

/** What each operation takes from a caller, and what a backend receives: the body, or the event inside it. */
export interface OperationInput {
  readonly updateInstallation: UpdateInstallationBody
  readonly createEvent: MarketplaceEvent
}

/** The path parameters of both routes (other parameters of a host app's mount path are dropped). */
export const InstallationPathParams = z.object({ integrationConfigurationId: IntegrationConfigurationId })
/** Validated path parameters. */
export type InstallationPathParams = z.infer<typeof InstallationPathParams>

/**
 * One operation of the API as data, so client, server and CLI agree: an adapter validates `params`
 * and `body` with these schemas, answers `successStatus`, and hands `fromBody(body)` to its logic.
 */
export interface Route<Op extends Operation = Operation> {
  /** Stable operation name, as in `@vercel/sdk`. */
  readonly operation: Op
  /** HTTP method. */
  readonly method: "PATCH" | "POST"
  /** Express-style template; the only parameter is `:integrationConfigurationId`. */
  readonly path: string
  /** Schema of the path parameters. */
  readonly params: typeof InstallationPathParams
  /** Schema of the JSON body. */
  readonly body: z.ZodMiniType<OperationBody[Op]>
  /** Status of a successful response (which has no body). */
  readonly successStatus: 201 | 204
  /** The body a caller's (not yet validated) input is sent as. */
  readonly toBody: (input: unknown) => unknown
  /** The operation's input inside a validated body. (A method, so that a `Route<"createEvent">` is a `Route`.) */
  fromBody(body: OperationBody[Op]): OperationInput[Op]
}

/** `PATCH /v1/installations/{integrationConfigurationId}` → 204; the input is the body. */
export const updateInstallationRoute: Route<"updateInstallation"> = {
  operation: "updateInstallation",
  method: "PATCH",
  path: "/v1/installations/:integrationConfigurationId",
  params: InstallationPathParams,
  body: UpdateInstallationBody,
  successStatus: 204,
  toBody: (input) => input,
  fromBody: (body) => body
}

/** `POST /v1/installations/{integrationConfigurationId}/events` → 201; the input is the `event`. */
export const createEventRoute: Route<"createEvent"> = {
  operation: "createEvent",
  method: "POST",
  path: "/v1/installations/:integrationConfigurationId/events",
  params: InstallationPathParams,
  body: CreateEventBody,
  successStatus: 201,
  toBody: (event) => ({ event }),
  fromBody: (body) => body.event
}

/** Both routes, keyed by operation. */
export const routes: { readonly [Op in Operation]: Route<Op> } = {
  updateInstallation: updateInstallationRoute,
  createEvent: createEventRoute
}

/** The concrete path of a route for an installation id, URL-encoding the id. */
export const routePath = (route: Route, integrationConfigurationId: string): string =>
  route.path.replace(":integrationConfigurationId", encodeURIComponent(integrationConfigurationId))
