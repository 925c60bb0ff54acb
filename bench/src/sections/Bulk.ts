import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { startEmulatorServer } from "@marketplace-kit/express"
import { BENCH_ID, BENCH_TOKEN } from "../Fixtures.js"
import { MKIT, tempDir } from "../Paths.js"
import { timeNode } from "../Processes.js"

/** `mkit bulk` (default concurrency) sending `events` events to an emulator rate-limited to `limit` req/s. */
export const bulkDelivery = async (options: { readonly events: number; readonly limit: number }) => {
  let rateLimited = 0
  const server = await startEmulatorServer({
    installations: [{ id: BENCH_ID, token: BENCH_TOKEN }],
    rateLimit: { requestsPerSecond: options.limit },
    log: (line) => {
      if (/ 429 /.test(line)) rateLimited++
    }
  })
  const dir = tempDir()
  const input = join(dir, "events.ndjson")
  const failedFile = join(dir, "failed.ndjson")
  const lines = Array.from({ length: options.events }, (_, i) =>
    JSON.stringify({ op: "event", id: BENCH_ID, event: { type: "resource.updated", resourceId: `res_${i}` } })
  )
  writeFileSync(input, `${lines.join("\n")}\n`)
  try {
    const { ms, code } = await timeNode([MKIT, "bulk", input, "--failed", failedFile], {
      ...process.env,
      VERCEL_TOKEN: BENCH_TOKEN,
      VERCEL_API_URL: server.url
    })
    const delivered = new Set(
      server.emulator.state
        .events({ operation: "createEvent" })
        .map((entry) =>
          entry.operation === "createEvent" && entry.event.type === "resource.updated"
            ? entry.event.resourceId
            : ""
        )
    )
    const failedText = readFileSync(failedFile, { encoding: "utf8", flag: "a+" })
    return {
      events: options.events,
      limit: options.limit,
      exitCode: code,
      seconds: ms / 1000,
      achievedPerSec: options.events / (ms / 1000),
      lost: lines.filter((_, i) => !delivered.has(`res_${i}`)).length,
      rateLimited,
      failed: failedText.split("\n").filter((line) => line.trim() !== "").length
    }
  } finally {
    await server.close()
  }
}
