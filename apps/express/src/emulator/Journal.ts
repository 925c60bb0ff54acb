import * as fs from "node:fs"
import { dirname } from "node:path"
import { promisify } from "node:util"
import { MarketplaceEvent, UpdateInstallationBody, validate } from "@marketplace-kit/core"
import type { LogEntry } from "./State.js"

const writeAll = promisify(fs.writeFile)
const datasync = promisify(fs.fdatasync)
const ftruncate = promisify(fs.ftruncate)
const closeFd = promisify(fs.close)

type Op =
  | {
      readonly kind: "append"
      readonly data: string
      readonly resolve: () => void
      readonly reject: (e: unknown) => void
    }
  | { readonly kind: "truncate"; readonly resolve: () => void; readonly reject: (e: unknown) => void }

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

// Re-validates a stored line with core's schemas, so a hand-edited file cannot inject what the API refuses.
const parseEntry = (line: string): LogEntry | string => {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return "not JSON"
  }
  if (!isRecord(value)) return "not an object"
  const { sequence, at, requestId, installationId, operation } = value
  if (typeof sequence !== "number" || !Number.isSafeInteger(sequence) || sequence < 1) return "bad sequence"
  if (typeof at !== "string" || typeof requestId !== "string" || typeof installationId !== "string") {
    return "missing at, requestId or installationId"
  }
  const base = { sequence, at, requestId, installationId }
  if (operation === "updateInstallation") {
    const body = validate(UpdateInstallationBody, value.body)
    return body.success ? { ...base, operation, body: body.data } : `body: ${body.message}`
  }
  if (operation === "createEvent") {
    const event = validate(MarketplaceEvent, value.event)
    return event.success ? { ...base, operation, event: event.data } : `event: ${event.message}`
  }
  return "unknown operation"
}

// A new file's directory entry must be durable too, or a crash can lose the whole file.
const syncDirectory = (path: string): void => {
  try {
    const fd = fs.openSync(dirname(path), "r")
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    // Some platforms (Windows) cannot open a directory; the file data itself is still synced.
  }
}

/**
 * The emulator's append-only data file: one JSON log entry per line. Every append is written and
 * `fdatasync`ed before it resolves, so an acknowledged write survives `kill -9` (and power loss);
 * appends that arrive while a sync is running are written together in the next one (group commit).
 */
export class Journal {
  private readonly queue: Array<Op> = []
  private draining: Promise<void> | undefined
  private closed = false

  private constructor(private readonly fd: number) {}

  /**
   * Opens (or creates) a data file and returns its entries. A torn last line (a crash mid-write, never
   * acknowledged) is cut off; any other bad line is an error naming it.
   */
  static open(path: string): { readonly journal: Journal; readonly entries: ReadonlyArray<LogEntry> } {
    const existed = fs.existsSync(path)
    const buffer = existed ? fs.readFileSync(path) : Buffer.alloc(0)
    const end = buffer.lastIndexOf(0x0a) + 1
    if (end < buffer.length) fs.truncateSync(path, end)
    const entries: Array<LogEntry> = []
    const lines = buffer.subarray(0, end).toString("utf8").split("\n")
    lines.forEach((line, index) => {
      if (line.trim() === "") return
      const entry = parseEntry(line)
      if (typeof entry === "string") throw new Error(`data file ${path}, line ${index + 1}: ${entry}`)
      const previous = entries.at(-1)
      if (previous !== undefined && entry.sequence <= previous.sequence) {
        throw new Error(`data file ${path}, line ${index + 1}: sequence ${entry.sequence} is not increasing`)
      }
      entries.push(entry)
    })
    const fd = fs.openSync(path, "a")
    if (!existed) syncDirectory(path)
    return { journal: new Journal(fd), entries }
  }

  /** Appends one entry; resolves once it is on disk. */
  append(entry: LogEntry): Promise<void> {
    return new Promise((resolve, reject) =>
      this.enqueue({ kind: "append", data: `${JSON.stringify(entry)}\n`, resolve, reject })
    )
  }

  /** Empties the file (after every earlier append); resolves once that is on disk. */
  truncate(): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: "truncate", resolve, reject }))
  }

  /** Waits for pending writes, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.draining
    await closeFd(this.fd)
  }

  private enqueue(op: Op): void {
    // Once closed the descriptor number may belong to another file; never write through it again.
    if (this.closed) {
      op.reject(new Error("the emulator's data file is closed"))
      return
    }
    this.queue.push(op)
    this.draining ??= this.drain()
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!
      let count = 1
      if (head.kind === "append") while (this.queue[count]?.kind === "append") count++
      const batch = this.queue.splice(0, count)
      try {
        if (head.kind === "truncate") await ftruncate(this.fd, 0)
        else await writeAll(this.fd, batch.map((op) => (op.kind === "append" ? op.data : "")).join(""))
        await datasync(this.fd)
        for (const op of batch) op.resolve()
      } catch (error) {
        for (const op of batch) op.reject(error)
      }
    }
    this.draining = undefined
  }
}
