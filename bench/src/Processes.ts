import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { createInterface } from "node:readline"

/** A child process serving HTTP on 127.0.0.1. */
export interface ChildServer {
  readonly url: string
  readonly child: ChildProcess
  readonly stop: () => Promise<void>
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/

/** Starts `node <args>` and resolves once it prints `listening on http://127.0.0.1:PORT`. */
export const startServer = async (args: ReadonlyArray<string>, timeoutMs = 15_000): Promise<ChildServer> => {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] })
  const lines = createInterface({ input: child.stdout! })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" from node ${args.join(" ")}`)),
      timeoutMs
    )
    child.once("exit", (code) => reject(new Error(`node ${args.join(" ")} exited with ${code}`)))
    lines.on("line", (line) => {
      const match = LISTENING.exec(line)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
  })
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill("SIGTERM")
      await once(child, "exit")
    }
  }
}

/** Runs `node <args>` to completion and returns its wall time in ms, stdout and exit code. */
export const timeNode = async (
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = process.env
): Promise<{ ms: number; code: number | null; stdout: string }> => {
  const started = performance.now()
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env })
  let stdout = ""
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.resume()
  const [code] = (await once(child, "exit")) as [number | null]
  return { ms: performance.now() - started, code, stdout }
}
