import type * as Command from "@effect/cli/Command"
import { toggle } from "./Flag.js"

/** Flags of `mkit demo`. */
export const demoOptions = {
  keepOpen: toggle(
    "keep-open",
    "Keep the emulator running after the walkthrough (until Ctrl-C) and print its dashboard link."
  )
}

/** The parsed flags of `mkit demo`. */
export type DemoFlags = Command.Command.ParseConfig<typeof demoOptions>
