import * as Help from "./Help.js"
import { rootHelp } from "./HelpTree.js"
import { globalOptions } from "./options/GlobalOptions.js"
import { version } from "./Version.js"

/** All of mkit's help pages, keyed by command path (`""`, `"installation update"`…). */
export const helpPages = (): Record<string, string> => Help.pages(rootHelp, globalOptions, version)
