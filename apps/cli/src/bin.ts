#!/usr/bin/env node
import { readFileSync } from "node:fs"
import { strip, wantsColor } from "./Ansi.js"
import { helpPageFor, wantsHelp } from "./HelpPath.js"
import { version } from "./Version.js"

// `--version` and help are answered without loading Effect: the help pages are rendered at build
// time (see tsup.config.ts) from the very definitions the parser uses. Everything else starts Main.
const args = process.argv.slice(2)

const prebuiltPages = (): Record<string, string> | undefined => {
  try {
    return JSON.parse(readFileSync(new URL("./help.json", import.meta.url), "utf8"))
  } catch {
    return undefined
  }
}

const pages = wantsHelp(args) ? prebuiltPages() : undefined
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${version}\n`)
} else if (pages !== undefined) {
  const page = pages[helpPageFor(args, (key) => key in pages)] ?? ""
  process.stdout.write(`${wantsColor(process.stdout) ? page : strip(page)}\n`)
} else {
  await import("./Main.js")
}
