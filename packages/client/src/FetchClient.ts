import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { fetchTransport } from "./internal/FetchTransport.js"
import { type ClientOptions, fromTransport, type MarketplaceClientService } from "./MarketplaceClient.js"
import type { PromiseClientOptions } from "./promise.js"

const env = (name: string): string | undefined =>
  typeof process === "undefined" ? undefined : process.env[name]

const tokenOption = (token: PromiseClientOptions["token"]): ClientOptions["token"] => {
  if (typeof token !== "function") return Redacted.make(token ?? env("VERCEL_TOKEN") ?? "")
  return (installationId) =>
    Effect.map(
      Effect.tryPromise({ try: async () => token(installationId), catch: (cause) => cause }),
      Redacted.make
    )
}

/**
 * The Effect client `createMarketplaceClient` wraps, from the same options, on global `fetch`: for code
 * that runs its own fibers (the outbox) and so needs no Promise per call.
 */
export const fetchClient = (options: PromiseClientOptions = {}): MarketplaceClientService =>
  fromTransport(fetchTransport, {
    token: tokenOption(options.token),
    baseUrl: options.baseUrl ?? env("VERCEL_API_URL"),
    timeout: options.timeoutMs,
    retry: options.retry,
    userAgent: options.userAgent
  })
