// `pnpm bench`: measures every row against its baseline in the same run and writes BENCHMARKS.md.
// `--quick` runs tiny N (the smoke test in `pnpm test` uses it); `--out <file>` writes elsewhere.
import { writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { parseArgs } from "node:util"
import type { LoadResult } from "./Driver.js"
import { fmt, ratio } from "./Stats.js"
import { adapterThroughput } from "./sections/Adapter.js"
import { bulkDelivery } from "./sections/Bulk.js"
import { bundleSizes } from "./sections/Bundle.js"
import { cliStartup } from "./sections/Cli.js"
import { clientThroughput } from "./sections/ClientThroughput.js"
import { importColdStart, SDK } from "./sections/ImportColdStart.js"
import { outboxThroughput, PIPELINES, type Pipeline } from "./sections/Outbox.js"
import { validationSpeed } from "./sections/Validation.js"

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, out: { type: "string" } }
})
const quick = values.quick
const out = values.out ?? new URL("../../BENCHMARKS.md", import.meta.url).pathname
const log = (line: string) => process.stderr.write(`${line}\n`)

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`)
  ].join("\n")

const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} kB`

// A throughput table: req/s and latency percentiles of each contender, and its ratio to the baseline's req/s.
const throughputTable = (
  first: string,
  versusLabel: string,
  results: Readonly<Record<string, LoadResult>>,
  base: LoadResult,
  latencyDigits: number
) =>
  table(
    [first, "req/s", "p50 ms", "p99 ms", versusLabel],
    Object.entries(results).map(([name, r]) => [
      name,
      fmt(r.requestsPerSec),
      fmt(r.p50Ms, latencyDigits),
      fmt(r.p99Ms, latencyDigits),
      ratio(r.requestsPerSec / base.requestsPerSec)
    ])
  )

const sections: Array<string> = []
// One line per row group, computed from the figures, so the summary cannot drift from the tables.
const standing: Array<string> = []
const versus = (ours: number, theirs: number, peer: string) => {
  const r = ours / theirs
  if (r >= 1.05) return `ahead of ${peer} (${ratio(r)})`
  if (r <= 0.95) return `**behind** ${peer} (${ratio(r)})`
  return `on par with ${peer} (${ratio(r)})`
}

log("1/7 client throughput")
const client = await clientThroughput(
  quick
    ? { requests: 40, rounds: 1, concurrencies: [1, 4] }
    : { requests: 2000, rounds: 5, concurrencies: [1, 32] }
)
for (const { concurrency, results } of client) {
  const sdk = results["@vercel/sdk"]!.requestsPerSec
  standing.push(
    `- Client, concurrency ${concurrency}: Promise facade ${versus(results["ours (Promise facade)"]!.requestsPerSec, sdk, "@vercel/sdk")}, Effect API ${versus(results["ours (Effect API)"]!.requestsPerSec, sdk, "@vercel/sdk")}; both at ${ratio(results["ours (Promise facade)"]!.requestsPerSec / results["raw fetch"]!.requestsPerSec)}–${ratio(results["ours (Effect API)"]!.requestsPerSec / results["raw fetch"]!.requestsPerSec)} of raw fetch, which validates nothing and never retries.`
  )
}
sections.push(
  "## 1. Client throughput (loopback server answering 204/201, half PATCH full body, half POST event)",
  ...client.map(
    ({ concurrency, results }) =>
      `### concurrency ${concurrency}\n\n${throughputTable("client", "req/s vs raw fetch", results, results["raw fetch"]!, 2)}`
  )
)

log("2/7 validation")
const validation = await validationSpeed(quick ? { roundMs: 50, rounds: 1 } : { roundMs: 1000, rounds: 5 })
const sdkOps = validation["@vercel/sdk schema"]!
standing.push(`- Validation: ${versus(validation["ours (core validate)"]!, sdkOps, "the SDK's schema")}.`)
sections.push(
  "## 2. Body validation (full update body)",
  table(
    ["validator", "ops/s", "vs @vercel/sdk"],
    Object.entries(validation).map(([name, ops]) => [name, fmt(ops), ratio(ops / sdkOps)])
  )
)

log("3/7 adapter")
const adapter = await adapterThroughput(
  quick ? { durationSec: 1, rounds: 1, connections: 8 } : { durationSec: 5, rounds: 3, connections: 32 }
)
const bare = adapter["bare Express 5 (express.json + 204)"]!
standing.push(
  `- Middleware + emulator: ${ratio(adapter["ours (router + emulator backend)"]!.requestsPerSec / bare.requestsPerSec)} of a bare Express app's req/s (the price of auth, validation and the write log).`
)
sections.push(
  "## 3. Adapter (PATCH full body, autocannon in its own process)",
  throughputTable("server", "vs bare Express", adapter, bare, 1)
)

log("4/7 CLI start-up")
const cli = await cliStartup({ runs: quick ? 2 : 15 })
const nodeMs = cli.medians["node -e 0"]!
standing.push(
  `- CLI cold start: \`--help\` ${ratio(cli.medians["mkit --help"]! / nodeMs)} and a real \`event send\` ${ratio(cli.medians["mkit event send (to a local emulator)"]! / nodeMs)} of \`node -e 0\` (loading Effect, zod and the client is most of it).`
)
sections.push(
  "## 4. CLI cold start (median wall time of a fresh process)",
  table(
    ["command", "ms", "vs node -e 0"],
    Object.entries(cli.medians).map(([name, ms]) => [name, fmt(ms, 1), ratio(ms / nodeMs)])
  ),
  `Bundle: \`apps/cli/dist/mkit.mjs\` ${kb(cli.entryBytes)}; all of \`apps/cli/dist\` (lazy chunks included) ${kb(cli.bundleBytes)}.`
)

log("5/7 Promise facade cold start and bundle")
// Issue 13's goals for a partner's serverless function, each against the SDK in the same run.
const IMPORT_GOAL = 1.3
const BUNDLE_GOAL = 2.5
const goal = (value: number, limit: number) =>
  `${ratio(value)} (goal ≤ ${ratio(limit)}: ${value <= limit ? "met" : "**not met**"})`
const imports = await importColdStart({ runs: quick ? 2 : 15 })
const bundles = await bundleSizes()
const bundleRatio = bundles["ours (@marketplace-kit/client/promise)"].gzip / bundles[SDK].gzip
standing.push(
  `- Promise facade cold start (import + build a client, unbundled): ESM ${goal(imports["ours, Promise facade (ESM import)"]!.vsSdk, IMPORT_GOAL)}, CJS ${goal(imports["ours, Promise facade (CJS require)"]!.vsSdk, IMPORT_GOAL)} the SDK's standalone functions; the Effect API ${ratio(imports["ours, Effect API + FetchHttpClient (ESM import)"]!.vsSdk)}.`,
  `- Promise facade bundle (minify + gzip): ${goal(bundleRatio, BUNDLE_GOAL)} the SDK's.`
)
sections.push(
  "## 5. Promise facade cold start: import time and bundle size",
  `### Import and build a client (fresh process each, unbundled from node_modules; median of ${quick ? 2 : 15} alternating rounds)\n\nThe ratio is the median of each round's time over the SDK's in the same round, which holds better than the times on a busy machine.\n\n${table(
    ["process", "ms", "vs @vercel/sdk", "vs node -e 0"],
    Object.entries(imports).map(([name, r]) => [
      name,
      fmt(r.ms, 1),
      ratio(r.vsSdk),
      ratio(r.ms / imports["node -e 0"]!.ms)
    ])
  )}`,
  `### App bundle (esbuild --minify, then gzip -9, an app calling both operations)\n\n${table(
    ["bundle", "minified", "gzip", "gzip vs @vercel/sdk"],
    Object.entries(bundles).map(([name, b]) => [
      name,
      kb(b.minified),
      kb(b.gzip),
      ratio(b.gzip / bundles[SDK].gzip)
    ])
  )}`
)

log("6/7 bulk")
const bulk = await bulkDelivery(quick ? { events: 100, limit: 100 } : { events: 2000, limit: 500 })
standing.push(
  `- Bulk: ${fmt((100 * bulk.achievedPerSec) / bulk.limit)}% of the rate limit, ${bulk.lost} lines lost, ${bulk.failed} failed.`
)
sections.push(
  `## 6. Bulk: \`mkit bulk\` with ${bulk.events} events against an emulator rate-limited to ${bulk.limit} req/s (token bucket, burst ${bulk.limit})`,
  table(
    ["events", "seconds", "achieved req/s", "fraction of limit", "lines lost", "429s seen", "failed lines"],
    [
      [
        String(bulk.events),
        fmt(bulk.seconds, 2),
        fmt(bulk.achievedPerSec),
        `${fmt((100 * bulk.achievedPerSec) / bulk.limit)}%`,
        String(bulk.lost),
        String(bulk.rateLimited),
        String(bulk.failed)
      ]
    ]
  )
)

log("7/7 outbox")
// Issue 11's goal: storing every op first costs at most 30% of the bare client's throughput.
const OUTBOX_GOAL = 0.7
const outbox = await outboxThroughput(
  quick
    ? { ops: 40, levels: [2, 4], rounds: 1, bulkLines: 1000, bulkSendLines: 100 }
    : { ops: 4000, levels: [16, 32, 64], rounds: 5, bulkLines: 300_000, bulkSendLines: 10_000 }
)
const [base] = outbox.options.levels
const outboxGoal = (pipeline: Pipeline) => {
  const { peakRatio, peakConcurrency, levels } = outbox.pipelines[pipeline]
  const equal = levels.find((level) => level.concurrency === base)!.ratio
  return `${ratio(peakRatio)} at its peak (concurrency ${peakConcurrency}; goal ≥ ${ratio(OUTBOX_GOAL)}: ${peakRatio >= OUTBOX_GOAL ? "met" : "**not met**"}), ${ratio(equal)} at equal concurrency ${base}`
}
standing.push(
  `- Outbox store-then-deliver throughput, against the bare client's peak: SQLite ${outboxGoal("outbox, SQLite: store then deliver")}; PostgreSQL ${outboxGoal("outbox, PostgreSQL: store then deliver")}. Enqueue ${fmt(outbox.enqueue.sqlite)} ops/s (SQLite), ${fmt(outbox.enqueue.postgres)} ops/s (PostgreSQL).`,
  `- \`mkit bulk\` peak RSS: ${fmt(outbox.bulk.dryRunMb)} MB for ${fmt(outbox.options.bulkLines)} lines (--dry-run), ${fmt(outbox.bulk.realMb)} MB sending ${fmt(outbox.options.bulkSendLines)} lines at --concurrency 64 (goal < 200 MB).`
)
sections.push(
  `## 7. Outbox: ${fmt(outbox.options.ops)} ops over 64 installations (half full-body PATCH, half events, no coalescing) to the emulator in its own process, at concurrency ${outbox.options.levels.join(", ")}`,
  [
    "Store then deliver: delivery runs while the ops are enqueued by as many concurrent callers as it has slots; the clock stops when the last op is delivered. SQLite (`openOutbox`: commits flushed by an `fdatasync` of the WAL off the event loop) and PostgreSQL (embedded, `fsync` on): each op is committed and on disk before its enqueue resolves. The bare client runs the same calls with as many callers.",
    "Each pipeline runs at every concurrency, in interleaved rounds; its throughput is its peak, the concurrency where its median is highest, and the goal compares that with the bare client's peak. A ratio pairs each round of a pipeline with the bare client's run in the same round; the median of those is reported.",
    "At equal concurrency the outbox is further behind, and that is latency, not capacity: a delivery holds its slot until its outcome is committed (so a crash re-sends at most `concurrency` ops), so each slot carries fewer requests per second (Little's law), and the outbox needs more slots to reach its peak."
  ].join(" "),
  table(
    [
      "pipeline",
      ...outbox.options.levels.map((level) => `concurrency ${level}: ops/s (vs bare at ${level})`),
      "peak vs the bare client's peak"
    ],
    PIPELINES.map((pipeline) => {
      const result = outbox.pipelines[pipeline]
      return [
        pipeline,
        ...result.levels.map((level) => `${fmt(level.opsPerSec)} (${ratio(level.ratio)})`),
        `${ratio(result.peakRatio)} (at ${result.peakConcurrency})`
      ]
    })
  ),
  table(
    ["enqueue only (no delivery)", `ops/s, ${base} callers`],
    [
      ["outbox, SQLite: enqueue only", fmt(outbox.enqueue.sqlite)],
      ["outbox, PostgreSQL: enqueue only", fmt(outbox.enqueue.postgres)]
    ]
  ),
  table(
    ["`mkit bulk` run", "lines", "peak RSS"],
    [
      ["--dry-run --json", fmt(outbox.options.bulkLines), `${fmt(outbox.bulk.dryRunMb)} MB`],
      ["real, --concurrency 64", fmt(outbox.options.bulkSendLines), `${fmt(outbox.bulk.realMb)} MB`]
    ]
  )
)

const header = [
  "# Benchmarks",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}${quick ? " — QUICK SMOKE RUN, figures meaningless" : ""}.`,
  "Every ratio compares figures taken in the same run; rows alternate between contenders each round and the median is reported.",
  "Regenerate with `pnpm bench` (a few minutes). Servers and load generators run as separate processes on 127.0.0.1."
].join("\n")
writeFileSync(out, `${[header, `## Where we stand\n\n${standing.join("\n")}`, ...sections].join("\n\n")}\n`)
log(`wrote ${out}`)
