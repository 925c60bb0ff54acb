import { createReadStream } from "node:fs"
import * as Effect from "effect/Effect"
import { type BulkLine, LineSplitter } from "./BulkLine.js"
import { UsageError } from "./UsageError.js"

const describeError = (flag: string, file: string, cause: unknown) =>
  new UsageError({
    message: `${flag}: cannot read ${file === "-" ? "standard input" : file}: ${
      (cause as NodeJS.ErrnoException).code ?? String(cause)
    }`
  })

/**
 * Streams the numbered lines of a file (or standard input for `-`) in batches of at most `batch`,
 * holding only the current chunk and batch in memory.
 */
export const forEachBatch = (
  flag: string,
  file: string,
  batch: number,
  handle: (lines: ReadonlyArray<BulkLine>) => Effect.Effect<void, UsageError>
): Effect.Effect<void, UsageError> =>
  Effect.gen(function* () {
    const input: AsyncIterable<string> =
      file === "-"
        ? process.stdin.setEncoding("utf8")
        : createReadStream(file, { encoding: "utf8", highWaterMark: 64 * 1024 })
    const iterator = input[Symbol.asyncIterator]()
    const splitter = new LineSplitter()
    let pending: Array<BulkLine> = []
    const flush = (force: boolean) =>
      Effect.suspend(() => {
        if (pending.length === 0 || (!force && pending.length < batch)) return Effect.void
        const lines = pending
        pending = []
        return handle(lines)
      })
    while (true) {
      const next = yield* Effect.tryPromise({
        try: () => iterator.next(),
        catch: (cause) => describeError(flag, file, cause)
      })
      const lines = next.done ? splitter.end() : splitter.push(next.value)
      for (const line of lines) {
        pending.push(line)
        yield* flush(false)
      }
      if (next.done) break
    }
    yield* flush(true)
  })
