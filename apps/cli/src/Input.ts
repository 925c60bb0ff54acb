import { readFile } from "node:fs/promises"
import * as Effect from "effect/Effect"
import { UsageError } from "./UsageError.js"

const readStdin = async (): Promise<string> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
}

/** Reads a whole file as UTF-8, or standard input when the name is `-`. */
export const readText = (flag: string, file: string): Effect.Effect<string, UsageError> =>
  Effect.tryPromise({
    try: () => (file === "-" ? readStdin() : readFile(file, "utf8")),
    catch: (cause) =>
      new UsageError({
        message: `${flag}: cannot read ${file === "-" ? "standard input" : file}: ${
          (cause as NodeJS.ErrnoException).code ?? String(cause)
        }`
      })
  })

/** Parses JSON text, naming where it came from when it is not JSON. */
export const parseJson = (flag: string, file: string, text: string): Effect.Effect<unknown, UsageError> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (cause) =>
      new UsageError({
        message: `${flag}: ${file === "-" ? "standard input" : file} is not valid JSON: ${(cause as Error).message}`
      })
  })

/** Reads and parses a JSON file (or `-` for standard input). */
export const readJson = (flag: string, file: string): Effect.Effect<unknown, UsageError> =>
  Effect.flatMap(readText(flag, file), (text) => parseJson(flag, file, text))
