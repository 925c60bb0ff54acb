/**
 * What the words of a command line are, known without loading the parser: each command path
 * (`""`, `"installation"`, `"installation update"`…) with the flags it accepts that take a value.
 * Built from the command table (Grammar.ts) and shipped in `dist/help.json`, so `bin.ts` can answer
 * help before loading Effect.
 */
export type Grammar = Readonly<Record<string, ReadonlyArray<string>>>

/** A command line as read against the grammar. */
export interface CommandLine {
  /** The command path it names (the key of its help page). */
  readonly path: string
  /** Whether it asks for help: no arguments, or `-h`/`--help` that is not a flag's value, before `--`. */
  readonly help: boolean
  /**
   * The arguments as @effect/cli should see them. A flag value that starts with `-` is attached
   * (`--notify-text=-h`), since the parser would otherwise take it for a flag; and a bare `-`
   * (stdin) moves behind the flags, since the parser stops reading flags at it.
   */
  readonly args: ReadonlyArray<string>
}

/** Reads `args` (argv without node and the script) against `grammar`. */
export const read = (args: ReadonlyArray<string>, grammar: Grammar): CommandLine => {
  let path = ""
  let help = args.length === 0
  let stdin = false
  let commandsDone = false
  const out: Array<string> = []
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!
    if (arg === "--") {
      out.push(...args.slice(index))
      break
    }
    if (arg === "-h" || arg === "--help") help = true
    if (arg.startsWith("-") && arg !== "-") {
      const value = args[index + 1]
      if (value !== undefined && grammar[path]?.includes(arg)) {
        if (value.startsWith("-")) out.push(`${arg}=${value}`)
        else out.push(arg, value)
        index++
      } else out.push(arg)
      continue
    }
    const next = path === "" ? arg : `${path} ${arg}`
    if (!commandsDone && next in grammar) path = next
    else commandsDone = true
    if (arg === "-") stdin = true
    else out.push(arg)
  }
  return { path, help, args: stdin ? [...out, "-"] : out }
}
