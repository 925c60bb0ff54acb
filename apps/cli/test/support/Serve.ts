import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { once } from "node:events"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { MKIT } from "./Mkit.js"

/** The bundled `mkit-emulator` bin. */
export const MKIT_EMULATOR = join(import.meta.dirname, "..", "..", "dist", "mkit-emulator.mjs")

/** A running `mkit serve` or `mkit-emulator` child process. */
export interface Served {
  readonly child: ChildProcessWithoutNullStreams
  readonly url: string
  /** Every stdout line so far. */
  readonly lines: ReadonlyArray<string>
  readonly stderr: () => string
  /** Resolves with the exit code (or the signal that killed it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Sends `signal` (default SIGINT) once and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** `mkit serve …args` (or, with `bin: "mkit-emulator"`, `mkit-emulator …args`). */
export const commandFor = (bin: "mkit" | "mkit-emulator", args: ReadonlyArray<string>) =>
  bin === "mkit" ? [MKIT, "serve", ...args] : [MKIT_EMULATOR, ...args]

/** Starts the emulator command and resolves once it prints the URL it listens on. */
export const serve = async (
  args: ReadonlyArray<string>,
  bin: "mkit" | "mkit-emulator" = "mkit"
): Promise<Served> => {
  const child = spawn(process.execPath, commandFor(bin, args), {
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" }
  })
  const lines: Array<string> = []
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null
  }))
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line)
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)
      if (match?.[1]) resolve(match[1])
    })
    void exited.then(({ code }) =>
      reject(new Error(`${bin} exited with ${code} before listening: ${stderr}`))
    )
  })
  let stopped: Promise<number | null> | undefined
  return {
    child,
    url,
    lines,
    stderr: () => stderr,
    exited,
    stop: (signal = "SIGINT") => {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal)
        return (await exited).code
      })()
      return stopped
    }
  }
}
