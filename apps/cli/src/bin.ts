#!/usr/bin/env node
import { readFileSync } from "node:fs"
import { strip, wantsColor } from "./Ansi.js"
import { read } from "./CommandLine.js"
import type { PrebuiltHelp } from "./HelpPages.js"
import { version } from "./Version.js"

// `--version` and help are answered without loading Effect: the help pages are rendered at build
// time (see tsup.config.ts) from the very definitions the parser uses. Everything else starts Main.
const args = process.argv.slice(2)

const prebuilt = (): PrebuiltHelp | undefined => {
  try {
    return JSON.parse(readFileSync(new URL("./help.json", import.meta.url), "utf8"))
  } catch {
    return undefined
  }
}

// Only a command line that could ask for help reads the pages; `read` then decides (`--notify-text -h` does not).
const help = args.length === 0 || args.includes("-h") || args.includes("--help") ? prebuilt() : undefined
const line = help === undefined ? undefined : read(args, help.grammar)
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${version}\n`)
} else if (help !== undefined && line?.help === true) {
  const page = help.pages[line.path] ?? ""
  process.stdout.write(`${wantsColor(process.stdout) ? page : strip(page)}\n`)
} else {
  await import("./Main.js")
}
