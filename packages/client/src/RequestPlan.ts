import {
  type CreateEventBody,
  formatIssues,
  type Operation,
  routePath,
  routes,
  type UpdateInstallationBody,
  type ValidationIssue,
  validate
} from "@marketplace-kit/core"
import * as Either from "effect/Either"
import { ValidationError } from "./MarketplaceError.js"

/** Vercel's public API. */
export const defaultBaseUrl = "https://api.vercel.com"

/** Sent as `User-Agent` unless the options name another. */
export const defaultUserAgent = "marketplace-kit"

/** The options a request plan depends on (a whole `ClientOptions` fits; the token is never read). */
export interface PlanOptions {
  readonly baseUrl?: string
  readonly userAgent?: string
}

/** Exactly what a call sends, with the bearer token shown as `<redacted>`. */
export interface RequestPlan {
  readonly operation: Operation
  readonly method: "PATCH" | "POST"
  /** Full URL: base URL + `path`. */
  readonly url: string
  /** Path with the installation id URL-encoded. */
  readonly path: string
  /** Lower-case header names; `authorization` is always `Bearer <redacted>`. */
  readonly headers: Readonly<Record<string, string>>
  /** The validated JSON body. */
  readonly body: UpdateInstallationBody | CreateEventBody
}

/** `path` (which starts with `/`) appended to the base URL, as `HttpClientRequest.prependUrl` joins them. */
export const requestUrl = (options: PlanOptions, path: string): string => {
  const base = options.baseUrl ?? defaultBaseUrl
  return base.endsWith("/") ? base + path.slice(1) : base + path
}

/**
 * The headers of every request, lower-case. The client sends these with the real token and
 * `planRequest` shows them with a placeholder, so the two cannot disagree on what is sent.
 */
export const requestHeaders = (options: PlanOptions, token: string): Record<string, string> => ({
  accept: "application/json",
  "user-agent": options.userAgent ?? defaultUserAgent,
  authorization: `Bearer ${token}`,
  "content-type": "application/json"
})

/**
 * What is wrong with a base URL, `undefined` if nothing. Credentials, a query and a fragment are
 * refused: the path is appended to the base, so they would be sent wrong, and credentials would end
 * up in messages, `--dry-run` and `--verbose`. Only the scheme is ever quoted back.
 */
const baseUrlIssue = (baseUrl: string | undefined): string | undefined => {
  if (baseUrl === undefined) return undefined
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return "expected an absolute http(s) URL"
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `expected an absolute http(s) URL, received a ${JSON.stringify(url.protocol)} URL`
  }
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:password@)"
  if (url.search !== "" || baseUrl.includes("?")) return "must not carry a query (?…)"
  if (url.hash !== "" || baseUrl.includes("#")) return "must not carry a fragment (#…)"
  return undefined
}

const issuesOf = (result: ReturnType<typeof validate>): ReadonlyArray<ValidationIssue> =>
  result.success ? [] : result.issues

/**
 * Validates an operation's input with core's schemas and returns the request it becomes, or a
 * `ValidationError` naming every bad field. For `createEvent` the input is the event itself.
 */
export const planRequest = (
  options: PlanOptions,
  operation: Operation,
  id: string,
  input: unknown
): Either.Either<RequestPlan, ValidationError> => {
  const route = routes[operation]
  const path = typeof id === "string" ? routePath(route, id) : route.path
  const bodyResult = validate(route.body, route.toBody(input))
  const url = requestUrl(options, path)
  const baseUrl = baseUrlIssue(options.baseUrl)
  const issues = [
    ...issuesOf(validate(route.params, { integrationConfigurationId: id })),
    ...issuesOf(bodyResult),
    ...(baseUrl === undefined ? [] : [{ path: "baseUrl", message: baseUrl }])
  ]
  if (!bodyResult.success || issues.length > 0) {
    return Either.left(
      new ValidationError({ method: route.method, path, attempts: 0, issues, message: formatIssues(issues) })
    )
  }
  return Either.right({
    operation,
    method: route.method,
    url,
    path,
    headers: requestHeaders(options, "<redacted>"),
    body: bodyResult.data
  })
}
