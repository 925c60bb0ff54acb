import { spawn } from "node:child_process"
import { join } from "node:path"

/** The bundled CLI, as users run it. */
export const MKIT = join(import.meta.dirname, "..", "..", "dist", "mkit.mjs")

/** What a finished `mkit` process printed and how it exited. */
export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Environment on top of PATH and NO_COLOR; VERCEL_* from the test runner's own environment never leak in. */
  readonly env?: Record<string, string>
  /** Written to stdin (which is then closed). */
  readonly input?: string
  readonly cwd?: string
  /** Kill the process after this long (a safety net; no test waits for it). */
  readonly timeoutMs?: number
}

/** Runs `node dist/mkit.mjs …args` and collects its output. */
export const mkit = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MKIT, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
    child.stdin.end(options.input ?? "")
  })

/** Parses stdout as exactly one JSON value (what `--json` promises). */
export const json = (result: Result): Record<string, unknown> =>
  JSON.parse(result.stdout) as Record<string, unknown>
