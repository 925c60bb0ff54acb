import { FetchHttpClient } from "@effect/platform"
import { createMarketplaceClient, MarketplaceClient } from "@marketplace-kit/client"
import { VercelCore } from "@vercel/sdk/core.js"
import { marketplaceCreateEvent } from "@vercel/sdk/funcs/marketplaceCreateEvent.js"
import { marketplaceUpdateInstallation } from "@vercel/sdk/funcs/marketplaceUpdateInstallation.js"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { type Call, compare, type LoadResult } from "../Driver.js"
import { BENCH_ID, BENCH_TOKEN, fullUpdateBody, resourceEvent } from "../Fixtures.js"
import { startServer } from "../Processes.js"

const STATUS_SERVER = new URL("../servers/status-server.mjs", import.meta.url).pathname

// Every contender gets the same work: even calls PATCH a full body, odd calls POST an event.
// Retries are on for all of them with comparable policies; none fires against a server that always succeeds.
const contenders = (url: string): { calls: Record<string, Call>; close: () => Promise<void> } => {
  const headers = {
    authorization: `Bearer ${BENCH_TOKEN}`,
    "content-type": "application/json",
    accept: "application/json"
  }
  const updateBody = JSON.stringify(fullUpdateBody)
  const eventBody = JSON.stringify({ event: resourceEvent })
  const rawFetch: Call = async (i) => {
    const response = await (i % 2 === 0
      ? fetch(`${url}/v1/installations/${BENCH_ID}`, { method: "PATCH", headers, body: updateBody })
      : fetch(`${url}/v1/installations/${BENCH_ID}/events`, { method: "POST", headers, body: eventBody }))
    await response.arrayBuffer()
    if (response.status !== 204 && response.status !== 201)
      throw new Error(`raw fetch got ${response.status}`)
  }

  const promiseClient = createMarketplaceClient({ token: BENCH_TOKEN, baseUrl: url })
  const promiseFacade: Call = (i) =>
    i % 2 === 0
      ? promiseClient.updateInstallation(BENCH_ID, fullUpdateBody)
      : promiseClient.createEvent(BENCH_ID, resourceEvent)

  const runtime = ManagedRuntime.make(
    MarketplaceClient.layer({ token: Redacted.make(BENCH_TOKEN), baseUrl: url }).pipe(
      Layer.provide(FetchHttpClient.layer)
    )
  )
  const effectApi: Call = (i) =>
    runtime.runPromise(
      Effect.flatMap(MarketplaceClient, (client) =>
        i % 2 === 0
          ? client.updateInstallation(BENCH_ID, fullUpdateBody)
          : client.createEvent(BENCH_ID, resourceEvent)
      )
    )

  const sdk = new VercelCore({
    bearerToken: BENCH_TOKEN,
    serverURL: url,
    retryConfig: {
      strategy: "backoff",
      backoff: { initialInterval: 200, maxInterval: 10_000, exponent: 2, maxElapsedTime: 60_000 },
      retryConnectionErrors: true
    }
  })
  const vercelSdk: Call = async (i) => {
    const result =
      i % 2 === 0
        ? await marketplaceUpdateInstallation(sdk, {
            integrationConfigurationId: BENCH_ID,
            requestBody: fullUpdateBody
          })
        : await marketplaceCreateEvent(sdk, {
            integrationConfigurationId: BENCH_ID,
            requestBody: { event: resourceEvent }
          })
    if (!result.ok) throw result.error
  }

  return {
    calls: {
      "raw fetch": rawFetch,
      "@vercel/sdk": vercelSdk,
      "ours (Promise facade)": promiseFacade,
      "ours (Effect API)": effectApi
    },
    close: () => runtime.dispose()
  }
}

/** Client throughput and latency at each concurrency, all contenders against one loopback server process. */
export const clientThroughput = async (options: {
  readonly requests: number
  readonly rounds: number
  readonly concurrencies: ReadonlyArray<number>
}): Promise<Array<{ concurrency: number; results: Record<string, LoadResult> }>> => {
  const server = await startServer([STATUS_SERVER])
  const { calls, close } = contenders(server.url)
  try {
    const out = []
    for (const concurrency of options.concurrencies) {
      out.push({
        concurrency,
        results: await compare(calls, { requests: options.requests, concurrency, rounds: options.rounds })
      })
    }
    return out
  } finally {
    await close()
    await server.stop()
  }
}
