import * as fs from "node:fs"
import { dirname } from "node:path"
import { promisify } from "node:util"
import { MarketplaceEvent, UpdateInstallationBody, validate } from "@marketplace-kit/core"
import { DataFileLock } from "./DataFileLock.js"
import type { LogEntry } from "./State.js"

/** A log entry before the data file gives it its sequence number. */
export type PendingEntry = LogEntry extends infer E
  ? E extends LogEntry
    ? Omit<E, "sequence">
    : never
  : never

/** The file operations the journal needs; tests swap in failing ones where no small disk can be mounted. */
export interface JournalIo {
  write(fd: number, data: string): Promise<void>
  datasync(fd: number): Promise<void>
  truncate(fd: number, size: number): Promise<void>
}

const nodeIo: JournalIo = {
  write: promisify(fs.writeFile),
  datasync: promisify(fs.fdatasync),
  truncate: promisify(fs.ftruncate)
}
const closeFd = promisify(fs.close)

type Op =
  | {
      readonly kind: "append"
      readonly entry: PendingEntry
      readonly resolve: (entry: LogEntry) => void
      readonly reject: (e: unknown) => void
    }
  | { readonly kind: "truncate"; readonly resolve: () => void; readonly reject: (e: unknown) => void }

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

// Re-validates a stored line with core's schemas, so a hand-edited file cannot inject what the API refuses.
const parseEntry = (value: unknown): LogEntry | string => {
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

const json = (line: string): { readonly value: unknown } | undefined => {
  try {
    return { value: JSON.parse(line) }
  } catch {
    return undefined
  }
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

/** What opening a data file found. */
export interface OpenedJournal {
  readonly journal: Journal
  readonly entries: ReadonlyArray<LogEntry>
  /** Set when a torn last entry (a crash mid-write, never acknowledged) was cut off. */
  readonly cut?: { readonly bytes: number; readonly reason: string }
}

/** Reads and checks a data file without changing it; throws naming the path and line. */
const readEntries = (path: string, buffer: Buffer) => {
  const entries: Array<LogEntry> = []
  const lines = buffer.toString("utf8").split("\n")
  const last = lines.length - 1
  let keptBytes = 0
  let cut: { bytes: number; reason: string } | undefined
  for (const [index, line] of lines.entries()) {
    const bytes = Buffer.byteLength(line) + (index < last ? 1 : 0)
    if (line.trim() === "") {
      keptBytes += bytes
      continue
    }
    const parsed = json(line)
    // Only the final line can be torn by a crash: it was never acknowledged, so it is cut.
    if (parsed === undefined && index === last) {
      cut = {
        bytes,
        reason: "the last entry is incomplete (a write torn by a crash; it was never acknowledged)"
      }
      break
    }
    const entry = parsed === undefined ? "not JSON" : parseEntry(parsed.value)
    if (typeof entry === "string") throw new Error(`data file ${path}, line ${index + 1}: ${entry}`)
    const previous = entries.at(-1)
    if (previous !== undefined && entry.sequence <= previous.sequence) {
      throw new Error(`data file ${path}, line ${index + 1}: sequence ${entry.sequence} is not increasing`)
    }
    entries.push(entry)
    keptBytes += bytes
  }
  return { entries, keptBytes, cut }
}

/**
 * The emulator's append-only data file: one JSON log entry per line, owned by one process at a time
 * (see {@link DataFileLock}). Every append is written and `fdatasync`ed before it resolves, so an
 * acknowledged write survives `kill -9` (and power loss); appends that arrive while a sync is running
 * are written together in the next one (group commit). The file gives each entry its sequence number
 * when it is written, so a failed write leaves no gap and no fragment: the file is cut back to its
 * last complete entry before anything else is written.
 */
export class Journal {
  private readonly queue: Array<Op> = []
  private draining: Promise<void> | undefined
  private closed = false
  // Bytes of complete, synced entries; after a failed write the file is cut back to this.
  private durableBytes: number
  private dirty = false

  private constructor(
    private readonly fd: number,
    private readonly lock: DataFileLock,
    private lastSequence: number,
    size: number,
    private readonly io: JournalIo
  ) {
    this.durableBytes = size
  }

  /**
   * Locks and opens (or creates) a data file and returns its entries. A torn last entry is cut off;
   * a complete last entry without its newline is kept. A file that is refused (another process holds
   * it, a bad line, not a regular file) is never modified, and the error names its path.
   */
  static open(path: string, io: JournalIo = nodeIo): OpenedJournal {
    const existing = fs.statSync(path, { throwIfNoEntry: false })
    if (existing !== undefined && !existing.isFile()) {
      throw new Error(
        `data file ${path}: not a regular file (a FIFO, device or directory cannot hold the log)`
      )
    }
    const lock = DataFileLock.acquire(path)
    try {
      const buffer = existing === undefined ? Buffer.alloc(0) : fs.readFileSync(path)
      const { entries, keptBytes, cut } = readEntries(path, buffer)
      const fd = fs.openSync(path, "a")
      try {
        if (cut !== undefined) fs.ftruncateSync(fd, keptBytes)
        // A complete last entry missing its newline gets one, so the next append starts a line.
        let size = keptBytes
        if (size > 0 && buffer[size - 1] !== 0x0a) {
          fs.writeSync(fd, "\n")
          size += 1
        }
        if (cut !== undefined || size !== buffer.length) fs.fdatasyncSync(fd)
        if (existing === undefined) syncDirectory(path)
        const journal = new Journal(fd, lock, entries.at(-1)?.sequence ?? 0, size, io)
        return { journal, entries, cut }
      } catch (error) {
        fs.closeSync(fd)
        throw error
      }
    } catch (error) {
      lock.release()
      throw error
    }
  }

  /** Appends one entry, giving it the next sequence number; resolves with it once it is on disk. */
  append(entry: PendingEntry): Promise<LogEntry> {
    return new Promise((resolve, reject) => this.enqueue({ kind: "append", entry, resolve, reject }))
  }

  /** Empties the file (after every earlier append); resolves once that is on disk. */
  truncate(): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: "truncate", resolve, reject }))
  }

  /** Waits for pending writes, then closes the file and releases its lock. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.draining
    await closeFd(this.fd)
    this.lock.release()
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
        // A failed write may have left a fragment: cut it off before writing anything after it.
        if (this.dirty) {
          await this.io.truncate(this.fd, this.durableBytes)
          this.dirty = false
        }
        if (head.kind === "truncate") {
          await this.io.truncate(this.fd, 0)
          await this.io.datasync(this.fd)
          this.durableBytes = 0
          this.lastSequence = 0
          head.resolve()
          continue
        }
        const entries = batch.map(
          (op, index) =>
            ({
              ...(op as Extract<Op, { kind: "append" }>).entry,
              sequence: this.lastSequence + index + 1
            }) as LogEntry
        )
        const data = entries.map((entry) => `${JSON.stringify(entry)}\n`).join("")
        this.dirty = true
        await this.io.write(this.fd, data)
        await this.io.datasync(this.fd)
        this.dirty = false
        this.durableBytes += Buffer.byteLength(data)
        this.lastSequence += entries.length
        batch.forEach((op, index) => {
          if (op.kind === "append") op.resolve(entries[index]!)
        })
      } catch (error) {
        // Cut the fragment before refusing (so the file holds no part of a write its caller is told
        // failed, and a crash cannot replay it) if the disk lets us; otherwise the next operation tries
        // again first.
        if (this.dirty) {
          try {
            await this.io.truncate(this.fd, this.durableBytes)
            this.dirty = false
          } catch {}
        }
        for (const op of batch) op.reject(error)
      }
    }
    this.draining = undefined
  }
}
