import * as Effect from "effect/Effect"
import * as Api from "../Api.js"
import { eventFromFlags } from "../EventBody.js"
import type { CliExit } from "../ExitCode.js"
import type { EventFlags } from "../options/EventOptions.js"
import * as Report from "../Report.js"

/** `mkit event send <id> <type> …`. */
export const run = (flags: EventFlags): Effect.Effect<void, CliExit> =>
  Effect.flatMap(eventFromFlags(flags), (input) =>
    Api.run(flags.global, { operation: "createEvent", id: flags.id, input })
  ).pipe(Report.command(flags.global))
