import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { ESC } from "./Ansi.js"

/** Counts finished items and keeps the user informed while they run. */
export interface Progress {
  /** Records one finished item. */
  readonly done: (ok: boolean) => void
  /** Prints a line on stderr without garbling the bar. */
  readonly log: (line: string) => Effect.Effect<void>
}

const CLEAR_LINE = `\r${ESC}[2K`
const BAR_WIDTH = 24

/**
 * Shows progress on stderr for the life of the scope: a redrawn bar on a terminal,
 * otherwise a plain status line every few seconds (CI logs stay short and readable).
 */
export const start = (
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr
): Effect.Effect<Progress, never, Scope.Scope> =>
  Effect.gen(function* () {
    const started = Date.now()
    let ok = 0
    let failed = 0
    const status = () => {
      const finished = ok + failed
      const seconds = (Date.now() - started) / 1000
      const rate = seconds > 0 ? (finished / seconds).toFixed(1) : "0.0"
      return `${finished}/${total} · ${ok} ok · ${failed} failed · ${rate}/s`
    }
    const bar = () => {
      const filled = total === 0 ? BAR_WIDTH : Math.round(((ok + failed) / total) * BAR_WIDTH)
      return `${label} [${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${status()}`
    }
    const tty = stream.isTTY === true
    const draw = () => stream.write(`${CLEAR_LINE}${bar()}`)
    let lastLine = ""
    const tick = tty
      ? draw
      : () => {
          const line = `${label}: ${status()}`
          if (line.split(" · ")[0] !== lastLine.split(" · ")[0]) stream.write(`${line}\n`)
          lastLine = line
        }
    yield* Effect.acquireRelease(
      Effect.sync(() => setInterval(tick, tty ? 100 : 2000)),
      (timer) =>
        Effect.sync(() => {
          clearInterval(timer)
          if (tty) stream.write(`${CLEAR_LINE}`)
        })
    )
    if (tty) draw()
    return {
      done: (success) => {
        if (success) ok++
        else failed++
      },
      log: (line) =>
        tty
          ? Effect.zipRight(
              Effect.sync(() => stream.write(CLEAR_LINE)),
              Effect.zipRight(Console.error(line), Effect.sync(draw))
            )
          : Console.error(line)
    }
  })
