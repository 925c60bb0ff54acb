import { gzipSync } from "node:zlib"
import { build } from "esbuild"
import { SDK } from "./ImportColdStart.js"

const bundleSize = async (contents: string) => {
  const result = await build({
    stdin: { contents, resolveDir: new URL("..", import.meta.url).pathname, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "silent"
  })
  const code = result.outputFiles[0]!.contents
  return { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength }
}

/** Minified + gzipped size of an app that calls both operations: our Promise facade vs the SDK's standalone functions. */
export const bundleSizes = async () => ({
  [SDK]: await bundleSize(`
    import { VercelCore } from "@vercel/sdk/core.js"
    import { marketplaceUpdateInstallation } from "@vercel/sdk/funcs/marketplaceUpdateInstallation.js"
    import { marketplaceCreateEvent } from "@vercel/sdk/funcs/marketplaceCreateEvent.js"
    const sdk = new VercelCore({ bearerToken: process.env.VERCEL_TOKEN })
    await marketplaceUpdateInstallation(sdk, { integrationConfigurationId: "icfg", requestBody: { status: "ready" } })
    await marketplaceCreateEvent(sdk, { integrationConfigurationId: "icfg", requestBody: { event: { type: "installation.updated" } } })
  `),
  "ours (@marketplace-kit/client/promise)": await bundleSize(`
    import { createMarketplaceClient } from "@marketplace-kit/client/promise"
    const client = createMarketplaceClient({ token: process.env.VERCEL_TOKEN ?? "" })
    await client.updateInstallation("icfg", { status: "ready" })
    await client.createEvent("icfg", { type: "installation.updated" })
  `)
})
