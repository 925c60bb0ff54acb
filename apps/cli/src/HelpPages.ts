import type { Grammar } from "./CommandLine.js"
import { mkit } from "./Commands.js"
import { grammarOf } from "./Grammar.js"
import * as Help from "./Help.js"
import { globalOptions } from "./options/GlobalOptions.js"
import { version } from "./Version.js"

/** What `dist/help.json` holds: every help page, and the grammar that finds the page a command line asks for. */
export interface PrebuiltHelp {
  /** Keyed by command path (`""`, `"installation update"`…). */
  readonly pages: Readonly<Record<string, string>>
  readonly grammar: Grammar
}

/** All of mkit's help pages and its grammar, from the command table. */
export const prebuiltHelp = (): PrebuiltHelp => ({
  pages: Help.pages(mkit, globalOptions, version),
  grammar: grammarOf(mkit)
})
