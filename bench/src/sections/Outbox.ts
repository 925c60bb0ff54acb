import { spawn } from "node:child_process"
import { once } from "node:events"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { createMarketplaceClient } from "@marketplace-kit/client"
import { openOutbox, type PromiseOutbox } from "@marketplace-kit/outbox"
import pg from "pg"
import { startEmbeddedPostgres } from "../../../packages/outbox/test/support/postgres.js"
import { interleavedRounds, mapValues, runRound } from "../Driver.js"
import { BENCH_TOKEN, fullUpdateBody, resourceEvent } from "../Fixtures.js"
import { EMULATOR, MKIT, tempDir } from "../Paths.js"
import { startServer } from "../Processes.js"
import { median } from "../Stats.js"

const INSTALLATIONS = 64
/** The baseline every other contender of this section is a ratio to. */
const BARE = "bare client (Promise facade), no store"
/** The pipelines measured at each concurrency, the baseline first. */
export const PIPELINES = [
  BARE,
  "outbox, SQLite: store then deliver",
  "outbox, PostgreSQL: store then deliver"
] as const
/** One of `PIPELINES`. */
export type Pipeline = (typeof PIPELINES)[number]
const at = (pipeline: Pipeline, concurrency: number) => `${pipeline}, concurrency ${concurrency}`
const ids = Array.from({ length: INSTALLATIONS }, (_, i) => `icfg_bench_${i}`)

/** The same work for every contender: even ops PATCH a full body, odd ones POST an event, spread over 64 installations. */
const enqueueOp = (outbox: PromiseOutbox, i: number) =>
  i % 2 === 0
    ? outbox.updateInstallation(ids[i % INSTALLATIONS]!, fullUpdateBody)
    : outbox.createEvent(ids[i % INSTALLATIONS]!, resourceEvent)

/** `ops` enqueued by `producers` concurrent callers (as many request handlers of an app would). */
const produce = (outbox: PromiseOutbox, ops: number, producers: number) =>
  runRound((i) => Promise.resolve(enqueueOp(outbox, i)).then(() => undefined), ops, producers)

/** Peak RSS (VmHWM) of `mkit <args>`, sampled from /proc. */
const peakRss = async (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [MKIT, ...args], { stdio: ["ignore", "ignore", "ignore"], env })
  let peakKb = 0
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8")
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))
    } catch {
      // Exited between two samples.
    }
  }, 20)
  const [code] = (await once(child, "exit")) as [number | null]
  clearInterval(timer)
  return { code, peakMb: peakKb / 1024 }
}

/** What one pipeline reached: ops/s at each concurrency, and its peak against the bare client's. */
export interface PipelineResult {
  /** Median ops/s at each concurrency, and the ratio to the bare client at that same concurrency. */
  readonly levels: ReadonlyArray<{
    readonly concurrency: number
    readonly opsPerSec: number
    readonly ratio: number
  }>
  /** The concurrency at which its median ops/s is highest. */
  readonly peakConcurrency: number
  /** Each round's ops/s at its peak over the bare client's at the bare client's peak, median of the rounds. */
  readonly peakRatio: number
}

/**
 * Store-then-deliver through the outbox (SQLite, and PostgreSQL with fsync on) against the emulator in
 * its own process, and the bare client on the same emulator, each at every concurrency of `levels`, in
 * interleaved rounds: ops/s, and the ratio to the bare client at equal concurrency and peak to peak;
 * enqueue-only ops/s; and `mkit bulk`'s peak RSS on a 300,000-line file.
 */
export const outboxThroughput = async (options: {
  readonly ops: number
  /** Concurrencies (callers, and the outbox's delivery slots) each pipeline runs at; the first for enqueue only. */
  readonly levels: ReadonlyArray<number>
  readonly rounds: number
  readonly bulkLines: number
  readonly bulkSendLines: number
}) => {
  const dir = tempDir()
  const seed = join(dir, "seed.json")
  writeFileSync(seed, JSON.stringify({ installations: ids.map((id) => ({ id, token: BENCH_TOKEN })) }))
  const emulator = await startServer([EMULATOR, "--port", "0", "--seed", seed])
  const postgres = await startEmbeddedPostgres("bench", { fsync: true })
  const admin = new pg.Client({ connectionString: postgres.url })
  await admin.connect()
  let file = 0
  const open = (store: string) =>
    openOutbox({ store, token: BENCH_TOKEN, baseUrl: emulator.url, coalesce: false, pollMs: 50 })
  const sqlite = () => `sqlite:${join(dir, `outbox-${++file}.db`)}`
  // PostgreSQL keeps one database; each measurement starts from an empty table.
  const freshPostgres = async () => {
    await admin.query(
      "DO $$ BEGIN IF to_regclass('mkit_outbox_ops') IS NOT NULL THEN TRUNCATE mkit_outbox_ops; END IF; END $$"
    )
    return postgres.url
  }
  const { ops, levels } = options
  // Enqueue only runs at the first level alone.
  const enqueueCallers = levels[0]!

  // Delivery runs while the ops arrive from as many callers as it has slots, as in an app; the clock
  // stops once the last one is delivered.
  const storeThenDeliver = async (store: string, workers: number) => {
    const outbox = await open(store)
    try {
      const started = performance.now()
      outbox.start({ concurrency: workers })
      await produce(outbox, ops, workers)
      const stats = await outbox.drain()
      if (stats.delivered !== ops) throw new Error(`outbox delivered ${stats.delivered} of ${ops}`)
      return ops / ((performance.now() - started) / 1000)
    } finally {
      await outbox.close()
    }
  }
  const enqueueOnly = async (store: string) => {
    const outbox = await open(store)
    try {
      return (await produce(outbox, ops, enqueueCallers)).requestsPerSec
    } finally {
      await outbox.close()
    }
  }
  const client = createMarketplaceClient({ token: BENCH_TOKEN, baseUrl: emulator.url })
  const bare = async (callers: number) =>
    (
      await runRound(
        (i) =>
          i % 2 === 0
            ? client.updateInstallation(ids[i % INSTALLATIONS]!, fullUpdateBody)
            : client.createEvent(ids[i % INSTALLATIONS]!, resourceEvent),
        ops,
        callers
      )
    ).requestsPerSec
  const measure: Record<Pipeline, (concurrency: number) => Promise<number>> = {
    [BARE]: bare,
    "outbox, SQLite: store then deliver": (workers) => storeThenDeliver(sqlite(), workers),
    "outbox, PostgreSQL: store then deliver": async (workers) =>
      storeThenDeliver(await freshPostgres(), workers)
  }

  try {
    const samples = await interleavedRounds(
      {
        ...Object.fromEntries(
          PIPELINES.flatMap((pipeline) =>
            levels.map((level) => [at(pipeline, level), () => measure[pipeline](level)])
          )
        ),
        "outbox, SQLite: enqueue only": async () => enqueueOnly(sqlite()),
        "outbox, PostgreSQL: enqueue only": async () => enqueueOnly(await freshPostgres())
      },
      options.rounds
    )
    const throughput = mapValues(samples, median)
    // A pipeline peaks where its median is highest. Each round's ratio pairs a run with the bare client's
    // run of the same round, so drift on the machine between rounds cancels; the median of those is the
    // figure reported.
    const peakOf = (pipeline: Pipeline) =>
      levels.reduce((best, level) =>
        throughput[at(pipeline, level)]! > throughput[at(pipeline, best)]! ? level : best
      )
    const pairedRatio = (runs: ReadonlyArray<number>, base: ReadonlyArray<number>) =>
      median(runs.map((opsPerSec, i) => opsPerSec / base[i]!))
    const bareAtPeak = samples[at(BARE, peakOf(BARE))]!
    const pipelines = Object.fromEntries(
      PIPELINES.map((pipeline): [Pipeline, PipelineResult] => [
        pipeline,
        {
          levels: levels.map((level) => ({
            concurrency: level,
            opsPerSec: throughput[at(pipeline, level)]!,
            ratio: pairedRatio(samples[at(pipeline, level)]!, samples[at(BARE, level)]!)
          })),
          peakConcurrency: peakOf(pipeline),
          peakRatio: pairedRatio(samples[at(pipeline, peakOf(pipeline))]!, bareAtPeak)
        }
      ])
    ) as Record<Pipeline, PipelineResult>

    const lines = join(dir, "bulk.ndjson")
    writeFileSync(
      lines,
      Array.from({ length: options.bulkLines }, (_, i) =>
        JSON.stringify({ op: "update", id: ids[i % INSTALLATIONS], body: { externalId: `line-${i}` } })
      ).join("\n")
    )
    const send = join(dir, "bulk-send.ndjson")
    writeFileSync(send, readFileSync(lines, "utf8").split("\n").slice(0, options.bulkSendLines).join("\n"))
    const env = { PATH: process.env.PATH ?? "", VERCEL_TOKEN: BENCH_TOKEN, VERCEL_API_URL: emulator.url }
    const dryRun = await peakRss(["bulk", lines, "--dry-run", "--json"], env)
    const real = await peakRss(["bulk", send, "--concurrency", "64", "--json"], env)
    if (dryRun.code !== 0 || real.code !== 0)
      throw new Error(`mkit bulk exited ${dryRun.code} (dry run) and ${real.code} (real run)`)
    const enqueue = {
      sqlite: throughput["outbox, SQLite: enqueue only"]!,
      postgres: throughput["outbox, PostgreSQL: enqueue only"]!
    }
    return { pipelines, enqueue, bulk: { dryRunMb: dryRun.peakMb, realMb: real.peakMb }, options }
  } finally {
    await admin.end()
    await postgres.stop()
    await emulator.stop()
  }
}
