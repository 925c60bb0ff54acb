/**
 * Which help page a command line asks for: the longest run of command names in it that has a
 * page (`installation update`), or `""` for the top-level page. Flags are skipped.
 */
export const helpPageFor = (args: ReadonlyArray<string>, hasPage: (key: string) => boolean): string => {
  let key = ""
  for (const arg of args) {
    if (arg === "--") break
    if (arg.startsWith("-")) continue
    const next = key === "" ? arg : `${key} ${arg}`
    if (!hasPage(next)) break
    key = next
  }
  return key
}

/** Whether a command line asks for help: nothing at all, or `-h`/`--help` anywhere before `--`. */
export const wantsHelp = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  const own = end === -1 ? args : args.slice(0, end)
  return own.length === 0 || own.includes("--help") || own.includes("-h")
}
