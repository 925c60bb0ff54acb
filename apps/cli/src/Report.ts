import type { MarketplaceError } from "@marketplace-kit/client"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { escapeControl } from "./Ansi.js"
import { CliExit, ExitCode } from "./ExitCode.js"
import type { GlobalFlags } from "./options/GlobalOptions.js"
import { make as makeConsole } from "./TerminalConsole.js"
import type { UsageError } from "./UsageError.js"

/** Everything a command can fail with before it is reported. */
export type CommandError = UsageError | MarketplaceError

/** The documented exit code of a failure. */
export const exitCodeOf = (error: CommandError): number => {
  switch (error._tag) {
    case "UsageError":
    case "ValidationError":
    case "BadRequest":
      return ExitCode.usage
    case "Unauthorized":
    case "Forbidden":
    case "TokenError":
      return ExitCode.auth
    case "NotFound":
      return ExitCode.notFound
    case "RateLimited":
      return ExitCode.rateLimited
    case "ServerError":
    case "TransportError":
    case "Timeout":
      return ExitCode.unavailable
    case "ClientError":
      return ExitCode.failure
  }
}

/** The exit code of many failures: all of one kind keep that kind's code (e.g. 6 when the API was down); a mix is 1. */
export const combinedExitCode = (codes: ReadonlySet<number>): number =>
  codes.size === 0 ? ExitCode.ok : codes.size === 1 ? [...codes][0]! : ExitCode.failure

/**
 * One line for humans: what failed, Vercel's code and message, request id and attempts. Control
 * characters are escaped, as the message quotes text the server sent.
 */
export const errorLine = (error: CommandError): string =>
  escapeControl(
    error._tag === "ValidationError" ? `invalid request, nothing sent: ${error.message}` : error.message
  )

/** The error as a plain JSON-able object (no stack, never the token). */
export const errorJson = (error: CommandError): Record<string, unknown> => {
  if (error._tag === "UsageError") {
    return { type: error._tag, message: error.message, ...(error.issues ? { issues: error.issues } : {}) }
  }
  return {
    type: error._tag,
    message: error.message,
    method: error.method,
    path: error.path,
    attempts: error.attempts,
    // Printed with JSON.stringify, which leaves out the fields that are undefined.
    status: error.status,
    code: error.code,
    requestId: error.requestId,
    body: error.body,
    ...(error._tag === "ValidationError" ? { issues: error.issues } : {}),
    ...((error._tag === "RateLimited" || error._tag === "ServerError") && error.retryAfter !== undefined
      ? { retryAfterMs: Duration.toMillis(error.retryAfter) }
      : {})
  }
}

/** Prints a failure (a line on stderr, or one JSON object on stdout) and yields its exit code. */
export const printError = (error: CommandError, json: boolean): Effect.Effect<number> => {
  const code = exitCodeOf(error)
  return Effect.as(
    json
      ? Console.log(JSON.stringify({ ok: false, exitCode: code, error: errorJson(error) }))
      : Console.error(`mkit: ${errorLine(error)}`),
    code
  )
}

const verboseLogger = Logger.withConsoleError(
  Logger.make(
    ({ message }) => `mkit: ${escapeControl(Array.isArray(message) ? message.join(" ") : String(message))}`
  )
)

/**
 * Runs a command that uses the global flags: its output is scrubbed of the token (and `secrets`), `--verbose`
 * shows the client's debug log (each failed attempt), and a failure is printed and becomes
 * the process exit code (a `CliExit` means the command has reported already).
 */
export const command =
  (global: GlobalFlags, secrets: ReadonlyArray<string> = []) =>
  <R>(effect: Effect.Effect<void, CommandError | CliExit, R>): Effect.Effect<void, CliExit, R> =>
    effect.pipe(
      Effect.catchAll((error) =>
        error._tag === "CliExit"
          ? Effect.fail(error)
          : Effect.flatMap(printError(error, global.json), (code) => Effect.fail(new CliExit({ code })))
      ),
      global.verbose
        ? (self) =>
            self.pipe(
              Logger.withMinimumLogLevel(LogLevel.Debug),
              Effect.provide(Logger.replace(Logger.defaultLogger, verboseLogger))
            )
        : (self) => self,
      Effect.withConsole(
        makeConsole([
          ...secrets,
          ...Option.match(global.token, { onNone: () => [], onSome: (t) => [Redacted.value(t)] })
        ])
      )
    )
