import type { ValidationIssue } from "@marketplace-kit/core"
import * as Data from "effect/Data"

/** A field problem, with the flag that sets that field when there is one. */
export interface FlagIssue extends ValidationIssue {
  readonly flag?: string
}

/** The command line or an input file was wrong; nothing was sent. Exit code 2. */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly message: string
  readonly issues?: ReadonlyArray<FlagIssue>
}> {}
