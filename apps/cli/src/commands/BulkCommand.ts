import { writeFile } from "node:fs/promises"
import type { MarketplaceError, RequestPlan } from "@marketplace-kit/client"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Api from "../Api.js"
import { type BulkLine, parseLine, splitLines } from "../BulkLine.js"
import { CliExit, ExitCode } from "../ExitCode.js"
import { readText } from "../Input.js"
import type { BulkFlags } from "../options/BulkOptions.js"
import * as Progress from "../Progress.js"
import * as Report from "../Report.js"
import { UsageError } from "../UsageError.js"

type Outcome =
  | { readonly line: BulkLine; readonly kind: "ok" }
  | { readonly line: BulkLine; readonly kind: "planned"; readonly request: RequestPlan }
  | { readonly line: BulkLine; readonly kind: "invalid"; readonly message: string }
  | { readonly line: BulkLine; readonly kind: "failed"; readonly error: MarketplaceError }

const isFailure = (outcome: Outcome) => outcome.kind === "invalid" || outcome.kind === "failed"

const exitCodeOf = (outcome: Outcome) =>
  outcome.kind === "failed"
    ? Report.exitCodeOf(outcome.error)
    : outcome.kind === "invalid"
      ? ExitCode.usage
      : 0

// All failures of one kind keep that kind's exit code (e.g. 6 when the API was down); a mix is 1.
const overallExitCode = (failures: ReadonlyArray<Outcome>) => {
  const codes = new Set(failures.map(exitCodeOf))
  return codes.size === 0 ? ExitCode.ok : codes.size === 1 ? [...codes][0]! : ExitCode.failure
}

const failureJson = (outcome: Outcome) =>
  outcome.kind === "invalid"
    ? { line: outcome.line.number, error: { type: "InvalidLine", message: outcome.message } }
    : outcome.kind === "failed"
      ? { line: outcome.line.number, error: Report.errorJson(outcome.error) }
      : { line: outcome.line.number }

const failureLine = (outcome: Outcome) =>
  outcome.kind === "invalid"
    ? `line ${outcome.line.number}: invalid: ${outcome.message}`
    : outcome.kind === "failed"
      ? `line ${outcome.line.number}: ${Report.errorLine(outcome.error)}`
      : `line ${outcome.line.number}`

const writeFailed = (file: string, failures: ReadonlyArray<Outcome>) =>
  Effect.tryPromise({
    try: () => writeFile(file, failures.map((outcome) => `${outcome.line.text}\n`).join("")),
    catch: (cause) =>
      new UsageError({
        message: `--failed: cannot write ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`
      })
  })

/**
 * `mkit bulk <file|->`: runs NDJSON operations with bounded concurrency. Each line succeeds or
 * fails on its own; failures are reported with their line number and, with `--failed`, written
 * back verbatim (in input order) so the file can be fixed or re-run as it is.
 */
export const run = (flags: BulkFlags): Effect.Effect<void, CliExit> => {
  const { global } = flags
  return Effect.gen(function* () {
    if (flags.concurrency < 1) {
      return yield* new UsageError({
        message: `--concurrency: expected 1 or more, received ${flags.concurrency}`
      })
    }
    const options = yield* Api.settings(global)
    const lines = splitLines(yield* readText("<file>", flags.file))
    const api = global.dryRun ? undefined : yield* Api.client(global, options)
    const started = Date.now()
    const progress = yield* Progress.start(global.dryRun ? "plan" : "bulk", lines.length)

    const runLine = (line: BulkLine): Effect.Effect<Outcome> =>
      Either.match(parseLine(line.text), {
        onLeft: (message): Effect.Effect<Outcome> => Effect.succeed({ line, kind: "invalid", message }),
        // A real send is planned (and validated) by the client itself; planning it here too would
        // validate every line a third time.
        onRight: (call) =>
          (api === undefined
            ? Effect.map(Api.plan(options, call), (request): Outcome => ({ line, kind: "planned", request }))
            : Effect.as(Api.send(api, call), { line, kind: "ok" } as Outcome)
          ).pipe(
            Effect.catchAll((error) =>
              Effect.succeed<Outcome>(
                error._tag === "UsageError"
                  ? { line, kind: "invalid", message: error.message }
                  : { line, kind: "failed", error }
              )
            )
          )
      }).pipe(
        Effect.tap((outcome) => {
          progress.done(!isFailure(outcome))
          if (isFailure(outcome) && !global.json) return progress.log(failureLine(outcome))
          if (outcome.kind === "planned" && !global.json) {
            return Console.log(
              `line ${line.number}: ${outcome.request.method} ${outcome.request.url} ${JSON.stringify(outcome.request.body)}`
            )
          }
          return Effect.void
        })
      )

    const outcomes = yield* Effect.forEach(lines, runLine, { concurrency: flags.concurrency })
    const failures = outcomes.filter(isFailure)
    if (Option.isSome(flags.failed)) yield* writeFailed(flags.failed.value, failures)
    const code = overallExitCode(failures)
    const counts = {
      total: outcomes.length,
      succeeded: outcomes.filter((outcome) => outcome.kind === "ok" || outcome.kind === "planned").length,
      failed: outcomes.filter((outcome) => outcome.kind === "failed").length,
      invalid: outcomes.filter((outcome) => outcome.kind === "invalid").length
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    yield* global.json
      ? Console.log(
          JSON.stringify({
            ok: failures.length === 0,
            exitCode: code,
            dryRun: global.dryRun,
            ...counts,
            durationMs: Date.now() - started,
            failures: failures.map(failureJson),
            ...(global.dryRun
              ? {
                  requests: outcomes.flatMap((o) =>
                    o.kind === "planned" ? [{ line: o.line.number, request: o.request }] : []
                  )
                }
              : {})
          })
        )
      : Console.log(
          `${global.dryRun ? "planned" : "bulk"}: ${counts.total} lines · ${counts.succeeded} ${global.dryRun ? "valid" : "ok"} · ` +
            `${counts.failed} failed · ${counts.invalid} invalid · ${seconds} s` +
            (Option.isSome(flags.failed) && failures.length > 0
              ? `\n${failures.length} line${failures.length === 1 ? "" : "s"} written to ${flags.failed.value}`
              : "")
        )
    if (code !== ExitCode.ok) return yield* new CliExit({ code })
  }).pipe(Effect.scoped, Report.command(global))
}
