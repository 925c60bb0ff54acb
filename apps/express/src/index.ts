export type { Operation } from "@marketplace-kit/core"
export type {
  BackendError,
  BackendResponse,
  BackendResult,
  MarketplaceBackend,
  RequestContext
} from "./Backend.js"
export { dashboardLink, emulatorBanner } from "./Banner.js"
export { createEmulator, type Emulator, type EmulatorOptions } from "./backends/emulator.js"
export { createForwardBackend, type ForwardBackendOptions } from "./backends/forward.js"
export { createOutboxBackend, type OutboxSink } from "./backends/outbox.js"
export { type EmulatorServer, type EmulatorServerOptions, startEmulatorServer } from "./EmulatorServer.js"
export type { IssuedToken } from "./emulator/Auth.js"
export type { ChaosOptions } from "./emulator/Chaos.js"
export type { RateLimitOptions } from "./emulator/RateLimiter.js"
export type { RequestQuery, RequestRecord } from "./emulator/RequestLog.js"
export { DEMO_SEED, type EmulatorSeed, type InstallationSeed } from "./emulator/Seed.js"
export type { EmulatorStateView, InstallationSnapshot, LogEntry, LogQuery } from "./emulator/State.js"
export { errorCodeFor, HttpError } from "./HttpError.js"
export { shapeParserErrors } from "./ParserErrors.js"
export { type MarketplaceRouterOptions, marketplaceRouter } from "./router.js"
