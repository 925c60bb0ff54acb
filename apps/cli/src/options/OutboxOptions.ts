import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { integerWithDefault } from "./Flag.js"
import type { globalOptions } from "./GlobalOptions.js"

/** `--store`, shared by every `mkit outbox` command; kept redacted, as a PostgreSQL URL holds a password. */
const store = Options.redacted("store").pipe(
  Options.withPseudoName("url"),
  Options.withDescription(
    "The outbox: sqlite:<path> (an existing file) or postgres://user:pass@host:5432/db. Its password is never printed."
  )
)

/** Flags of `mkit outbox status` and `mkit outbox retry-failed`. */
export const outboxOptions = { store } as const

/** Flags of `mkit outbox deliver`. */
export const deliverOptions = {
  store,
  concurrency: integerWithDefault(
    "concurrency",
    "n",
    "Installations delivered at once, 1 to 256 (default 8).",
    8
  )
} as const

/** Flags of `mkit outbox failed`. */
export const failedOptions = {
  store,
  limit: integerWithDefault("limit", "n", "List at most this many, oldest first (default 100).", 100)
} as const

type WithGlobal<C> = C & { readonly global: typeof globalOptions }

/** The parsed flags of `mkit outbox status` and `retry-failed`. */
export type OutboxFlags = Command.Command.ParseConfig<WithGlobal<typeof outboxOptions>>
/** The parsed flags of `mkit outbox deliver`. */
export type DeliverFlags = Command.Command.ParseConfig<WithGlobal<typeof deliverOptions>>
/** The parsed flags of `mkit outbox failed`. */
export type FailedFlags = Command.Command.ParseConfig<WithGlobal<typeof failedOptions>>
