import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"

/** Flags of `mkit demo`. */
export const demoOptions = {
  keepOpen: Options.boolean("keep-open").pipe(
    Options.withDescription(
      "Keep the emulator running after the walkthrough (until Ctrl-C) and print its dashboard link."
    )
  )
}

/** The parsed flags of `mkit demo`. */
export type DemoFlags = Command.Command.ParseConfig<typeof demoOptions>
