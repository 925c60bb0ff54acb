import * as Data from "effect/Data"

/** Process exit codes, documented in `--help` and the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  rateLimited: 5,
  unavailable: 6
} as const

/** A command has already reported its outcome and the process should exit with `code`. */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: number }> {}
