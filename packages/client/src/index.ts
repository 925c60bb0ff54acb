export type {
  MarketplaceEvent,
  Notification,
  Operation,
  UpdateInstallationBody,
  ValidationIssue,
  VercelErrorDetail
} from "@marketplace-kit/core"
export { fetchClient } from "./FetchClient.js"
export {
  type ClientOptions,
  defaultTimeout,
  fromHttpClient,
  MarketplaceClient,
  type MarketplaceClientService,
  type TokenSource
} from "./MarketplaceClient.js"
export * from "./MarketplaceError.js"
export * from "./promise.js"
export {
  defaultBaseUrl,
  defaultUserAgent,
  type PlanOptions,
  planRequest,
  type RequestPlan
} from "./RequestPlan.js"
export type { RetryOptions, RetryPolicy } from "./Retry.js"
export * as Retry from "./Retry.js"
