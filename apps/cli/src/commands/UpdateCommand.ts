import * as Effect from "effect/Effect"
import * as Api from "../Api.js"
import type { CliExit } from "../ExitCode.js"
import type { UpdateFlags } from "../options/UpdateOptions.js"
import * as Report from "../Report.js"
import { updateBodyFromFlags } from "../UpdateBody.js"

/** `mkit installation update <id> …`. */
export const run = (flags: UpdateFlags): Effect.Effect<void, CliExit> =>
  Effect.flatMap(updateBodyFromFlags(flags), (input) =>
    Api.run(flags.global, { operation: "updateInstallation", id: flags.id, input })
  ).pipe(Report.command(flags.global))
