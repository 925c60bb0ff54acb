import { format } from "node:util"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { strip, wantsColor } from "./Ansi.js"

// Shorter strings are no real token, and scrubbing them would mangle ordinary words.
const MIN_SECRET_LENGTH = 8

/** Replaces every occurrence of each secret with `<redacted>`. */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string =>
  secrets.reduce(
    (out, secret) => (secret.length >= MIN_SECRET_LENGTH ? out.replaceAll(secret, "<redacted>") : out),
    text
  )

const writer =
  (stream: NodeJS.WriteStream, secrets: ReadonlyArray<string>) =>
  (...args: ReadonlyArray<unknown>): void => {
    const text = format(...args)
    stream.write(`${scrub(wantsColor(stream) ? text : strip(text), secrets)}\n`)
  }

/**
 * A console for the CLI: `log`/`info` go to stdout and `error`/`warn`/`debug` to stderr,
 * with colors removed when the stream is not a terminal (help text piped to a file
 * stays readable) and every secret replaced by `<redacted>` as a last line of defence.
 */
export const make = (secrets: ReadonlyArray<string> = []): Console.Console => {
  const out = writer(process.stdout, secrets)
  const err = writer(process.stderr, secrets)
  const unsafe: Console.UnsafeConsole = {
    ...globalThis.console,
    log: out,
    info: out,
    error: err,
    warn: err,
    debug: err,
    trace: err
  }
  const lift =
    (f: (...args: ReadonlyArray<unknown>) => void) =>
    (...args: ReadonlyArray<unknown>) =>
      Effect.sync(() => f(...args))
  return {
    [Console.TypeId]: Console.TypeId,
    assert: (condition, ...args) => Effect.sync(() => unsafe.assert(condition, ...args)),
    clear: Effect.sync(() => unsafe.clear()),
    count: (label) => Effect.sync(() => unsafe.count(label)),
    countReset: (label) => Effect.sync(() => unsafe.countReset(label)),
    debug: lift(err),
    dir: (item, options) => Effect.sync(() => unsafe.dir(item, options)),
    dirxml: lift(err),
    error: lift(err),
    group: (options) => Effect.sync(() => unsafe.group(options?.label)),
    groupEnd: Effect.sync(() => unsafe.groupEnd()),
    info: lift(out),
    log: lift(out),
    table: (data, properties) => Effect.sync(() => unsafe.table(data, properties)),
    time: (label) => Effect.sync(() => unsafe.time(label)),
    timeEnd: (label) => Effect.sync(() => unsafe.timeEnd(label)),
    timeLog: (label, ...args) => Effect.sync(() => unsafe.timeLog(label, ...args)),
    trace: lift(err),
    warn: lift(err),
    unsafe
  }
}
