import type * as z from "zod"
import { CreateEventBody } from "./Event.js"
import { UpdateInstallationBody } from "./Installation.js"

/** Statuses Vercel documents (or is known to send) as failures for both routes. */
export const ERROR_STATUSES = [400, 401, 403, 404, 429, 500, 502, 503, 504] as const

/** One operation of the API, described as data so client, server and CLI agree. */
export interface Route<Body extends z.ZodType = z.ZodType> {
  /** Stable operation name, as in `@vercel/sdk`. */
  readonly operation: "updateInstallation" | "createEvent"
  /** HTTP method. */
  readonly method: "PATCH" | "POST"
  /** Express-style template; the only parameter is `:integrationConfigurationId`. */
  readonly path: string
  /** Schema of the JSON body. */
  readonly body: Body
  /** Status of a successful response (which has no body). */
  readonly successStatus: 201 | 204
  /** Documented failure statuses. */
  readonly errorStatuses: ReadonlyArray<number>
}

/** `PATCH /v1/installations/{integrationConfigurationId}` → 204. */
export const updateInstallationRoute = {
  operation: "updateInstallation",
  method: "PATCH",
  path: "/v1/installations/:integrationConfigurationId",
  body: UpdateInstallationBody,
  successStatus: 204,
  errorStatuses: ERROR_STATUSES
} as const satisfies Route

/** `POST /v1/installations/{integrationConfigurationId}/events` → 201. */
export const createEventRoute = {
  operation: "createEvent",
  method: "POST",
  path: "/v1/installations/:integrationConfigurationId/events",
  body: CreateEventBody,
  successStatus: 201,
  errorStatuses: ERROR_STATUSES
} as const satisfies Route

/** Both routes, keyed by operation. */
export const routes = {
  updateInstallation: updateInstallationRoute,
  createEvent: createEventRoute
} as const

/** The concrete path of a route for an installation id, URL-encoding the id. */
export const routePath = (route: Route, integrationConfigurationId: string): string =>
  route.path.replace(":integrationConfigurationId", encodeURIComponent(integrationConfigurationId))
