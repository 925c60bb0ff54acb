import { type Operation, routes, type ValidationIssue } from "@marketplace-kit/core"
import { ChangeFeed } from "./Changes.js"

/** One request the emulator answered on `/v1` (or dropped), as the inspection API lists it. Never holds a token. */
export interface RequestRecord {
  /** Position in the request log, 1-based, increasing by one per request. */
  readonly id: number
  /** The `x-vercel-id` it was answered with. */
  readonly requestId: string
  /** When it arrived (ISO-8601). */
  readonly at: string
  readonly method: string
  /** The path, without the query string (at most 200 characters). */
  readonly path: string
  /** Which route it addressed, when the path is one of the contract's. */
  readonly operation?: Operation
  readonly installationId?: string
  /** The answer's status; `null` when no answer was sent (the caller hung up, or chaos dropped it). */
  readonly status: number | null
  readonly durationMs: number
  /** The error answered, as in the body (`code`, `message`). */
  readonly error?: { readonly code: string; readonly message: string }
  /** For a rejected body: every field it got wrong (what Vercel does not send, kept here). */
  readonly issues?: ReadonlyArray<ValidationIssue>
  /** The fault chaos injected, if any. */
  readonly chaos?: "error" | "drop" | "stall"
}

/** Which requests to list. */
export interface RequestQuery {
  /** Only requests with an id greater than this (default 0). */
  readonly since?: number
  /** At most this many, oldest first. */
  readonly limit?: number
}

// The contract's path templates as patterns (an id never holds a "/", so they cannot overlap).
const PATTERNS = Object.values(routes).map((route) => ({
  operation: route.operation,
  pattern: new RegExp(`^${route.path.replace(":integrationConfigurationId", "([^/]+)")}/?$`)
}))

/**
 * Which contract route a path addresses, and for which installation (for middleware that runs
 * before Express routes the request).
 */
export const routeOf = (
  path: string
): { readonly operation: Operation; readonly installationId: string } | undefined => {
  for (const { operation, pattern } of PATTERNS) {
    const match = pattern.exec(path)
    if (match === null) continue
    try {
      return { operation, installationId: decodeURIComponent(match[1]!) }
    } catch {
      return undefined
    }
  }
  return undefined
}

/** The last `limit` requests in memory, with listeners for live views (the dashboard's stream). */
export class RequestLog {
  private records: Array<RequestRecord> = []
  private lastId = 0
  private readonly listeners = new ChangeFeed<RequestRecord>()

  constructor(private readonly limit = 10_000) {}

  /** Id of the latest request (0 when none). */
  get last(): number {
    return this.lastId
  }

  /** Records a request (giving it the next id) and tells every listener. */
  add(record: Omit<RequestRecord, "id">): RequestRecord {
    const stored = { id: ++this.lastId, ...record }
    this.records.push(stored)
    if (this.records.length > this.limit * 1.25) this.records = this.records.slice(-this.limit)
    this.listeners.publish(stored)
    return stored
  }

  /** Requests after `since`, oldest first. */
  list(query: RequestQuery = {}): Array<RequestRecord> {
    const since = query.since ?? 0
    const after = this.records.filter((record) => record.id > since)
    return after.slice(0, query.limit ?? after.length)
  }

  /** Calls `listener` with every request recorded from now on; returns the unsubscribe function. */
  subscribe(listener: (record: RequestRecord) => void): () => void {
    return this.listeners.subscribe(listener)
  }

  /** Forgets every request (ids keep increasing, so a reader's `since` stays meaningful). */
  clear(): void {
    this.records = []
  }
}
