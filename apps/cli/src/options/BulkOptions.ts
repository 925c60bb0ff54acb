import * as Args from "@effect/cli/Args"
import type * as Command from "@effect/cli/Command"
import { integerWithDefault, optionalText } from "./Flag.js"
import type { globalOptions } from "./GlobalOptions.js"

/** Arguments and own flags (global flags aside) of `mkit bulk`. */
export const bulkOptions = {
  file: Args.text({ name: "file|-" }).pipe(
    Args.withDescription("NDJSON file of operations, or - for stdin.")
  ),
  concurrency: integerWithDefault("concurrency", "n", "Requests in flight at once, 1 to 256 (default 4).", 4),
  failed: optionalText(
    "failed",
    "file",
    "Write every line that did not succeed, verbatim, to this file (for a re-run); checked writable before anything is sent, replaced whole at the end."
  ),
  state: optionalText(
    "state",
    "file",
    "Progress file, so re-running the command resumes (default <file>.mkit-state; required for stdin). Removed once every line succeeded."
  )
} as const

/** The parsed arguments of `mkit bulk`. */
export type BulkFlags = Command.Command.ParseConfig<
  typeof bulkOptions & { readonly global: typeof globalOptions }
>
