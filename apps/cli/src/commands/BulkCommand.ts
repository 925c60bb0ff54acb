import { rmSync } from "node:fs"
import * as V8 from "node:v8"
import { defaultTimeout, type RequestPlan } from "@marketplace-kit/client"
import { type DeliveryOutcome, make as makeOutbox, Store, StoreLayer } from "@marketplace-kit/outbox"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Api from "../Api.js"
import { type BulkLine, parseLine } from "../BulkLine.js"
import { CliExit, ExitCode } from "../ExitCode.js"
import * as FailedFile from "../FailedFile.js"
import { forEachBatch } from "../LineInput.js"
import type { BulkFlags } from "../options/BulkOptions.js"
import * as Progress from "../Progress.js"
import * as Report from "../Report.js"
import * as Signals from "../Signals.js"
import { UsageError } from "../UsageError.js"

/** The most lines in flight at once: far past what one installation API needs, and memory stays small. */
export const MAX_CONCURRENCY = 256

const BATCH = 500

// Keeps this process's heap near its live size. A bulk run's live heap is small (19–27 MB after a full GC
// at --concurrency 64), but it allocates about 300 KB per line (fibers, spans, requests), and V8 sizes its
// heap for throughput, not footprint:
// - Since Node 22 the young generation grows to a size scaled from the host's memory (128 MB on Node 24 on
//   a 24 GB host, against 32 MB on Node 20; nodejs/node#62723). `--semi-space-growth-factor=1` keeps it
//   at its starting size.
// - Objects then reach the old generation sooner, and V8 lets that grow up to 4× its live size before the
//   next full GC. `--heap-growing-percent=25` caps the growth at 1.25×.
// Measured on Node 24, 4,000 lines at --concurrency 64: peak RSS 283–293 MB with neither, 200–227 MB
// with the first, 127–146 MB with both (Node 20: 132–137 MB), at about 10% more CPU (more GCs); a bulk
// run waits on the API's rate limit, not on CPU. Both flags are read by V8 at each GC, so setting them
// here, after start, applies them.
const boundHeap = () => V8.setFlagsFromString("--semi-space-growth-factor=1 --heap-growing-percent=25")

/** A failed or invalid line as reported: its number, its error as JSON and as one line of text. */
interface Failure {
  readonly line: number
  readonly code: number
  readonly json: Record<string, unknown>
  readonly text: string
}

const invalidFailure = (line: number, message: string): Failure => ({
  line,
  code: ExitCode.usage,
  json: { line, error: { type: "InvalidLine", message } },
  text: `line ${line}: invalid: ${message}`
})

const storedFailure = (op: Store.StoredOp): Failure => {
  const line = Number(op.key)
  const error = op.lastError ?? { type: "ServerError", message: "unknown error" }
  if (op.status === "rejected") return invalidFailure(line, error.message)
  const code = Report.exitCodeOf({ _tag: error.type } as Report.CommandError)
  return { line, code, json: { line, error }, text: `line ${line}: ${error.message}` }
}

const parseError = (state: string) => (error: { readonly message: string }) =>
  new UsageError({ message: `--state: ${state}: ${error.message}` })

// Waits for stdout to drain when its buffer is full: a big dry run must neither pile its output up in
// memory nor lose the end of it when the process exits.
const writeOut = (text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (process.stdout.write(text)) resume(Effect.void)
    else process.stdout.once("drain", () => resume(Effect.void))
  })

// The last write waits until stdout has handed everything to the OS: the process exits right after,
// and output still queued for a slow pipe reader would be lost (measured on Node 24: the end of a
// 100 MB --json dry run, its summary included, missing from the pipe).
const writeLast = (text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    process.stdout.write(text, () => resume(Effect.void))
  })

/** `--dry-run`: validates and plans each line as it streams by; sends and stores nothing. */
const dryRun = (flags: BulkFlags, options: Api.Settings) =>
  Effect.gen(function* () {
    const { global } = flags
    const failedFile = Option.isSome(flags.failed) ? yield* FailedFile.open(flags.failed.value) : undefined
    const started = Date.now()
    let total = 0
    let valid = 0
    const failures: Array<Failure> = []
    // With --json the requests are streamed into the one JSON object as they are planned.
    if (global.json) yield* writeOut('{"dryRun":true,"requests":[')
    yield* forEachBatch("<file>", flags.file, BATCH, (lines) =>
      Effect.forEach(lines, (line) => {
        total++
        const planned = Either.flatMap(parseLine(line.text), (call) =>
          Either.mapLeft(Effect.runSync(Effect.either(Api.plan(options, call))), (error) => error.message)
        )
        if (Either.isLeft(planned)) {
          const failure = invalidFailure(line.number, planned.left)
          failures.push(failure)
          return Effect.zipRight(
            failedFile === undefined ? Effect.void : failedFile.write([line.text]),
            global.json ? Effect.void : Console.error(failure.text)
          )
        }
        valid++
        const request: RequestPlan = planned.right
        return writeOut(
          global.json
            ? `${valid > 1 ? "," : ""}${JSON.stringify({ line: line.number, request })}`
            : `line ${line.number}: ${request.method} ${request.url} ${JSON.stringify(request.body)}\n`
        )
      })
    )
    if (failedFile !== undefined) yield* failedFile.commit
    const code = failures.length === 0 ? ExitCode.ok : ExitCode.usage
    if (global.json) {
      const rest = {
        ok: failures.length === 0,
        exitCode: code,
        total,
        succeeded: valid,
        failed: 0,
        invalid: failures.length,
        durationMs: Date.now() - started,
        failures: failures.map((failure) => failure.json)
      }
      yield* writeLast(`],${JSON.stringify(rest).slice(1)}\n`)
    } else {
      yield* Console.log(
        `planned: ${total} lines · ${valid} valid · 0 failed · ${failures.length} invalid · ${((Date.now() - started) / 1000).toFixed(1)} s`
      )
    }
    if (code !== ExitCode.ok) return yield* new CliExit({ code })
  })

const statePathOf = (flags: BulkFlags): Effect.Effect<string, UsageError> => {
  if (Option.isSome(flags.state)) return Effect.succeed(flags.state.value)
  if (flags.file === "-") {
    return Effect.fail(
      new UsageError({ message: "--state: required when reading standard input (where to keep progress)" })
    )
  }
  return Effect.succeed(`${flags.file}.mkit-state`)
}

/**
 * `mkit bulk <file|->`: runs NDJSON operations through a durable outbox kept in a SQLite state file.
 * Lines stream in (memory stays bounded by the concurrency), each is validated and stored, then
 * delivered with the client's retries. Re-running the same command resumes: delivered lines are
 * skipped, lines in flight at an interruption are sent again, failed lines are reported.
 */
export const run = (flags: BulkFlags): Effect.Effect<void, CliExit> => {
  const { global } = flags
  return Effect.gen(function* () {
    boundHeap()
    if (flags.concurrency < 1 || flags.concurrency > MAX_CONCURRENCY) {
      return yield* new UsageError({
        message: `--concurrency: expected 1 to ${MAX_CONCURRENCY}, received ${flags.concurrency}`
      })
    }
    const options = yield* Api.settings(global)
    const failedPath = Option.getOrUndefined(flags.failed)
    if (failedPath !== undefined && flags.file !== "-" && FailedFile.isSameFile(failedPath, flags.file)) {
      return yield* new UsageError({ message: "--failed: must not be the input file" })
    }
    if (global.dryRun) return yield* dryRun(flags, options)

    const state = yield* statePathOf(flags)
    if (flags.file !== "-" && FailedFile.isSameFile(state, flags.file)) {
      return yield* new UsageError({ message: "--state: must not be the input file" })
    }
    if (failedPath !== undefined && FailedFile.isSameFile(failedPath, state)) {
      return yield* new UsageError({ message: "--failed: must not be the state file" })
    }
    // Everything that can refuse the command does so before the first request.
    const failedFile = failedPath === undefined ? undefined : yield* FailedFile.open(failedPath)
    const api = yield* Api.client(global, options)
    const timeoutMs = Duration.toMillis(Duration.decode(options.timeout ?? defaultTimeout))
    const started = Date.now()

    const outcome = yield* Effect.gen(function* () {
      // Bulk lines are independent operations: sent in parallel, each as it is (no order, no coalescing), once through the
      // client's retries (a line still failing then is reported, not rescheduled), and the state file
      // only has to survive a crash of this process (a lost commit means a line sent again).
      const outbox = yield* makeOutbox(api, {
        ordered: false,
        maxDeliveries: 1,
        synchronous: "normal",
        leaseMs: 24 * 3600_000,
        pollMs: 50
      })
      const before = yield* outbox.stats
      // This runner is the state file's only user: leases left by an interrupted run are its own.
      const resent = yield* Store.countAttemptedPending
      yield* Store.releaseAllLeases

      const stop = yield* Deferred.make<Signals.StopSignal>()
      yield* Signals.trap(stop)
      let invalidNow = 0
      let deliveredNow = 0
      let read = 0
      const invalidLines: Array<Failure> = []
      yield* forEachBatch("<file>", flags.file, BATCH, (lines) =>
        Effect.gen(function* () {
          read += lines.length
          const ops = lines.map((line: BulkLine): Store.NewOp => {
            const call = parseLine(line.text)
            const key = String(line.number)
            if (Either.isLeft(call)) {
              invalidNow++
              if (!global.json) invalidLines.push(invalidFailure(line.number, call.left))
              return {
                operation: "updateInstallation",
                installationId: "",
                input: {},
                key,
                source: line.text,
                rejected: { type: "InvalidLine", message: call.left }
              }
            }
            const { operation, id, input } = call.right
            return { operation, installationId: id, input, key, source: line.text } as Store.NewOp
          })
          yield* Effect.mapError(outbox.enqueue(ops), parseError(state))
          for (const failure of invalidLines.splice(0)) yield* Console.error(failure.text)
        })
      )
      const queued = yield* outbox.stats
      const progress = yield* Progress.start("bulk", queued.pending + queued.inFlight)
      if (!global.json && (before.delivered > 0 || before.failed > 0 || resent > 0)) {
        yield* progress.log(
          `bulk: resuming ${state}: ${before.delivered} lines delivered before, ${before.failed} failed before, ${resent} in flight when interrupted (sent again)`
        )
      }
      // A signal during reading stops before the first request.
      if (!(yield* Deferred.isDone(stop)))
        yield* outbox.start({
          concurrency: flags.concurrency,
          onOutcome: (result: DeliveryOutcome) => {
            if (result.kind === "delivered") {
              deliveredNow++
              progress.done(true)
            } else if (result.kind === "failed") {
              progress.done(false)
              if (!global.json) Effect.runFork(progress.log(`line ${result.op.key}: ${result.error.message}`))
            }
          }
        })
      const signal = yield* Effect.raceFirst(
        Effect.as(Effect.mapError(outbox.drain, parseError(state)), undefined),
        Deferred.await(stop)
      )
      // On a signal: claim nothing more, give lines in flight one timeout to finish, release the rest.
      yield* outbox.stop(signal === undefined ? undefined : timeoutMs)
      const after = yield* Effect.mapError(outbox.stats, parseError(state))

      // Failures in input order, read back a page at a time.
      const codes = new Set<number>()
      const failuresJson: Array<Record<string, unknown>> = []
      let failedCount = 0
      let rejectedCount = 0
      let afterId: string | undefined
      while (true) {
        const page = yield* Effect.mapError(
          Store.listFailed({ limit: BATCH, rejected: true, afterId }),
          parseError(state)
        )
        if (page.length === 0) break
        afterId = page.at(-1)!.id
        const failures = page.map(storedFailure)
        for (const failure of failures) codes.add(failure.code)
        for (const op of page) op.status === "rejected" ? rejectedCount++ : failedCount++
        if (global.json) failuresJson.push(...failures.map((failure) => failure.json))
        if (failedFile !== undefined) yield* failedFile.write(page.map((op) => op.source ?? ""))
      }
      return {
        signal,
        after,
        before,
        resent,
        read,
        invalidNow,
        deliveredNow,
        codes,
        failuresJson,
        failedCount,
        rejectedCount
      }
    }).pipe(
      Effect.provide(StoreLayer.layer(`sqlite:${state}`)),
      Effect.mapError((error) => (error._tag === "UsageError" ? error : parseError(state)(error)))
    )

    if (failedFile !== undefined) yield* failedFile.commit
    const { signal, after, before, resent, codes, failuresJson, failedCount, rejectedCount } = outcome
    const code = signal !== undefined ? Signals.SIGNAL_EXIT[signal] : Report.combinedExitCode(codes)
    const finished = signal === undefined && after.pending === 0 && after.inFlight === 0
    // A finished run with nothing failed needs no state; one with failures keeps it, so a re-run reports them.
    if (finished && codes.size === 0) {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${state}${suffix}`, { force: true })
    }
    const counts = {
      total: outcome.read,
      succeeded: after.delivered,
      failed: failedCount,
      invalid: rejectedCount,
      skipped: before.delivered,
      resent,
      pending: after.pending + after.inFlight
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    yield* global.json
      ? Console.log(
          JSON.stringify({
            ok: code === ExitCode.ok,
            exitCode: code,
            dryRun: false,
            ...counts,
            interrupted: signal,
            durationMs: Date.now() - started,
            failures: failuresJson
          })
        )
      : Console.log(
          `bulk: ${counts.total} lines · ${counts.succeeded} ok · ${counts.failed} failed · ${counts.invalid} invalid · ${seconds} s` +
            (counts.skipped > 0 || resent > 0
              ? ` · ${counts.skipped} delivered before · ${resent} sent again`
              : "") +
            (signal === undefined
              ? ""
              : `\ninterrupted by ${signal}: ${counts.pending} lines left; run the same command again to resume (state: ${state})`) +
            (failedFile !== undefined && failedCount + rejectedCount > 0
              ? `\n${failedCount + rejectedCount} line${failedCount + rejectedCount === 1 ? "" : "s"} written to ${failedFile.path}`
              : "")
        )
    if (signal !== undefined) {
      // Exit here: the runtime's own teardown knows nothing of which signal it was.
      process.exit(code)
    }
    if (code !== ExitCode.ok) return yield* new CliExit({ code })
  }).pipe(Effect.scoped, Report.command(global))
}
