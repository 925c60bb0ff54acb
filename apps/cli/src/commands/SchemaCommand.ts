import { jsonSchemas } from "@marketplace-kit/core/json-schema"
import * as Console from "effect/Console"
import type * as Effect from "effect/Effect"
import type { CliExit } from "../ExitCode.js"

/** `mkit schema update-installation|create-event`: prints core's JSON Schema. */
export const run = (flags: { readonly body: keyof typeof jsonSchemas }): Effect.Effect<void, CliExit> =>
  Console.log(JSON.stringify(jsonSchemas[flags.body], null, 2))
