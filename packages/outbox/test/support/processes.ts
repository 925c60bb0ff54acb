import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { join } from "node:path"
import { createInterface } from "node:readline"

const script = join(import.meta.dirname, "worker.mjs")

/** A worker process (see worker.mjs) and the JSON lines it printed. */
export interface Worker {
  readonly child: ChildProcess
  readonly ready: Promise<void>
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>
  readonly stderr: () => string
}

/** Spawns a delivery worker process on a store. */
export const spawnWorker = (options: {
  readonly store: string
  readonly baseUrl: string
  readonly token: string
  readonly concurrency: number
  readonly leaseMs: number
}): Worker => {
  const child = spawn(
    process.execPath,
    [
      script,
      options.store,
      options.baseUrl,
      options.token,
      String(options.concurrency),
      String(options.leaseMs)
    ],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on("line", (line) => {
      if (line.includes('"ready"')) resolve()
    })
    child.once("exit", () => reject(new Error(`worker exited before it was ready: ${stderr}`)))
  })
  ready.catch(() => {})
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string)
  return { child, ready, exited, stderr: () => stderr }
}
