import { existsSync } from "node:fs"
import { defaultTimeout } from "@marketplace-kit/client"
import {
  type DeliveryOutcome,
  make as makeOutbox,
  migrate,
  type OutboxStats,
  Store,
  StoreLayer
} from "@marketplace-kit/outbox"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { escapeControl } from "../Ansi.js"
import * as Api from "../Api.js"
import { CliExit, ExitCode } from "../ExitCode.js"
import type { GlobalFlags } from "../options/GlobalOptions.js"
import type { DeliverFlags, FailedFlags, OutboxFlags } from "../options/OutboxOptions.js"
import * as Report from "../Report.js"
import * as Signals from "../Signals.js"
import { UsageError } from "../UsageError.js"
import { MAX_CONCURRENCY } from "./BulkCommand.js"

/** The store could not be opened or read: printed like any failure, exit 6 (unavailable). */
const storeFailure = (global: GlobalFlags, message: string) =>
  Effect.zipRight(
    global.json
      ? Console.log(
          JSON.stringify({
            ok: false,
            exitCode: ExitCode.unavailable,
            error: { type: "StoreError", message }
          })
        )
      : Console.error(`mkit: store: ${escapeControl(message)}`),
    Effect.fail(new CliExit({ code: ExitCode.unavailable }))
  )

// The password of a PostgreSQL URL, scrubbed from everything printed as a last line of defence.
const passwordOf = (url: string): ReadonlyArray<string> => {
  try {
    const password = decodeURIComponent(new URL(url).password)
    return password === "" ? [] : [password]
  } catch {
    return []
  }
}

// The store's client and error, as the outbox names them (the CLI does not depend on @effect/sql itself).
type StoreClient = Effect.Effect.Context<ReturnType<typeof migrate>>
type StoreError = Effect.Effect.Error<ReturnType<typeof migrate>>

/**
 * Runs `body` on the outbox at `--store` (migrated to the current schema, as opening one in the
 * library does); a bad URL is a usage error, a store that cannot be reached exits 6.
 */
const onStore = <A>(
  flags: { readonly store: Redacted.Redacted<string>; readonly global: GlobalFlags },
  body: Effect.Effect<A, Report.CommandError | CliExit | StoreError, StoreClient | Scope.Scope>
): Effect.Effect<void, CliExit> => {
  const url = Redacted.value(flags.store)
  return Effect.gen(function* () {
    const kind = yield* Effect.try({
      try: () => StoreLayer.storeKind(url),
      catch: (error) =>
        new UsageError({ message: `--store: ${(error as Error).message.replace(/^store: /, "")}` })
    })
    // A library outbox is created by the app that writes to it; a typo must not create an empty one.
    if (kind === "sqlite" && !existsSync(url.slice("sqlite:".length))) {
      return yield* new UsageError({ message: `--store: no outbox at ${url.slice("sqlite:".length)}` })
    }
    yield* Effect.scoped(
      Effect.zipRight(migrate(), body).pipe(
        Effect.provide(StoreLayer.layer(url, { maxConnections: 4 })),
        Effect.catchTags({
          SqlError: (error) => storeFailure(flags.global, error.message),
          ConfigError: (error) => storeFailure(flags.global, String(error))
        })
      )
    )
  }).pipe(Report.command(flags.global, passwordOf(url)))
}

const statsLine = (stats: OutboxStats) =>
  `${stats.pending} pending · ${stats.inFlight} in flight · ${stats.delivered} delivered · ${stats.failed} failed · ${stats.coalesced} coalesced`

/** A stored op as `--json` shows it. */
const opJson = (op: Store.StoredOp) => ({
  id: op.id,
  installationId: op.installationId,
  operation: op.operation,
  attempts: op.attempts,
  input: op.input,
  error: op.lastError
})

const errorText = (error: Store.StoredError | undefined) =>
  error === undefined
    ? "no error recorded"
    : escapeControl(
        [error.status, error.code, error.message].filter((part) => part !== undefined).join(" ") +
          (error.requestId === undefined ? "" : ` (request id ${error.requestId})`)
      )

const opLabel = (op: Store.StoredOp) =>
  `op ${op.id} (${op.operation === "updateInstallation" ? "PATCH" : "POST"} ${escapeControl(op.installationId)})`

const refuseDryRun = (global: GlobalFlags, what: string) =>
  global.dryRun
    ? Effect.fail(
        new UsageError({
          message: `--dry-run: ${what} changes the store; mkit outbox status and mkit outbox failed only read it`
        })
      )
    : Effect.void

/** `mkit outbox status`: counts by state. */
export const status = (flags: OutboxFlags): Effect.Effect<void, CliExit> =>
  onStore(
    flags,
    Effect.flatMap(
      Store.stats(Date.now()),
      (stats): Effect.Effect<void> =>
        flags.global.json
          ? Console.log(JSON.stringify({ ok: true, exitCode: ExitCode.ok, ...stats }))
          : Console.log(`outbox: ${statsLine(stats)}`)
    )
  )

/** `mkit outbox failed`: the dead letters with their last error, oldest first. */
export const failed = (flags: FailedFlags): Effect.Effect<void, CliExit> =>
  onStore(
    flags,
    Effect.gen(function* () {
      if (flags.limit < 1) {
        return yield* new UsageError({ message: `--limit: expected 1 or more, received ${flags.limit}` })
      }
      const ops = yield* Store.listFailed({ limit: flags.limit })
      if (flags.global.json) {
        return yield* Console.log(
          JSON.stringify({ ok: true, exitCode: ExitCode.ok, failed: ops.map(opJson) })
        )
      }
      if (ops.length === 0) return yield* Console.log("outbox: no failed ops")
      for (const op of ops) yield* Console.log(`${opLabel(op)}: ${errorText(op.lastError)}`)
    })
  )

/** `mkit outbox retry-failed`: every dead letter back to pending. */
export const retryFailed = (flags: OutboxFlags): Effect.Effect<void, CliExit> =>
  onStore(
    flags,
    Effect.gen(function* () {
      yield* refuseDryRun(flags.global, "retry-failed")
      const count = yield* Store.retryFailed(Date.now())
      yield* flags.global.json
        ? Console.log(JSON.stringify({ ok: true, exitCode: ExitCode.ok, retried: count }))
        : Console.log(`outbox: ${count} failed op${count === 1 ? "" : "s"} back to pending`)
    })
  )

/**
 * `mkit outbox deliver`: delivers until nothing is pending or in flight, with the client's retries,
 * in order per installation. A signal stops claiming and lets deliveries in flight finish (at most
 * one `--timeout`); what is left stays pending for the next worker.
 */
export const deliver = (flags: DeliverFlags): Effect.Effect<void, CliExit> => {
  const { global } = flags
  return onStore(
    flags,
    Effect.gen(function* () {
      yield* refuseDryRun(global, "deliver")
      if (flags.concurrency < 1 || flags.concurrency > MAX_CONCURRENCY) {
        return yield* new UsageError({
          message: `--concurrency: expected 1 to ${MAX_CONCURRENCY}, received ${flags.concurrency}`
        })
      }
      const options = yield* Api.settings(global)
      const api = yield* Api.client(global, options)
      const timeoutMs = Duration.toMillis(Duration.decode(options.timeout ?? defaultTimeout))
      const started = Date.now()
      const outbox = yield* makeOutbox(api)
      const console = yield* Effect.console
      const stop = yield* Deferred.make<Signals.StopSignal>()
      yield* Signals.trap(stop)
      let delivered = 0
      let coalesced = 0
      let retried = 0
      const failures: Array<{ readonly op: Store.StoredOp; readonly error: Store.StoredError }> = []
      const onOutcome = (outcome: DeliveryOutcome) => {
        if (outcome.kind === "delivered") {
          delivered++
          coalesced += outcome.merged.length
        } else if (outcome.kind === "failed") {
          for (const op of [outcome.op, ...outcome.merged]) failures.push({ op, error: outcome.error })
        } else retried++
        // Retries and dead letters are shown as they happen, so a slow drain is not a silent one.
        if (!global.json && outcome.kind !== "delivered") {
          const what = outcome.kind === "retrying" ? "will retry" : "failed"
          console.unsafe.error(`${opLabel(outcome.op)}: ${what}: ${errorText(outcome.error)}`)
        }
      }
      yield* outbox.start({ concurrency: flags.concurrency, onOutcome })
      const signal = yield* Effect.raceFirst(Effect.as(outbox.drain, undefined), Deferred.await(stop))
      yield* outbox.stop(signal === undefined ? undefined : timeoutMs)
      const after = yield* outbox.stats
      const codes = new Set(
        failures.map(({ error }) => Report.exitCodeOf({ _tag: error.type } as Report.CommandError))
      )
      const code = signal === undefined ? Report.combinedExitCode(codes) : Signals.SIGNAL_EXIT[signal]
      const summary = {
        delivered,
        coalesced,
        failed: failures.length,
        retried,
        ...(signal === undefined ? {} : { interrupted: signal })
      }
      yield* global.json
        ? Console.log(
            JSON.stringify({
              ok: code === ExitCode.ok,
              exitCode: code,
              ...summary,
              durationMs: Date.now() - started,
              stats: after,
              failures: failures.map(({ op, error }) => ({ ...opJson(op), error }))
            })
          )
        : Console.log(
            `outbox: delivered ${delivered} request${delivered === 1 ? "" : "s"} (${coalesced} more ops coalesced into them) · ${failures.length} failed · ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
              `outbox: ${statsLine(after)}` +
              (signal === undefined
                ? ""
                : `\ninterrupted by ${signal}: ${after.pending + after.inFlight} ops left pending; run mkit outbox deliver again to go on`)
          )
      // Exit here: the runtime's own teardown knows nothing of which signal it was.
      if (signal !== undefined) process.exit(code)
      if (code !== ExitCode.ok) return yield* new CliExit({ code })
    })
  )
}
