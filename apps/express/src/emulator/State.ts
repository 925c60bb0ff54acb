import type {
  BillingPlan,
  InstallationStatus,
  MarketplaceEvent,
  Notification,
  UpdateInstallationBody
} from "@marketplace-kit/core"

/** What the emulator knows about one installation. */
export interface InstallationSnapshot {
  readonly id: string
  readonly billingPlan?: BillingPlan
  readonly notification?: Notification
  readonly status?: InstallationStatus
  readonly externalId?: string
  /** When the last update was applied (ISO-8601). */
  readonly updatedAt?: string
}

interface EntryBase {
  /** Position in the log, 1-based, increasing by one per acknowledged write. */
  readonly sequence: number
  /** When the write was accepted (ISO-8601). */
  readonly at: string
  readonly requestId: string
  readonly installationId: string
}

/** One acknowledged write: an installation update or an event. */
export type LogEntry =
  | (EntryBase & { readonly operation: "updateInstallation"; readonly body: UpdateInstallationBody })
  | (EntryBase & { readonly operation: "createEvent"; readonly event: MarketplaceEvent })

/** Which log entries to list. */
export interface LogQuery {
  /** Only entries with a sequence greater than this (default 0: all). */
  readonly since?: number
  readonly installationId?: string
  readonly operation?: LogEntry["operation"]
  /** At most this many entries, oldest first (default: all). */
  readonly limit?: number
}

/** Read-only view of the emulator's state; every result is a copy. */
export interface EmulatorStateView {
  /** All installations, in seed order. */
  installations(): Array<InstallationSnapshot>
  /** One installation, or `undefined`. */
  installation(id: string): InstallationSnapshot | undefined
  /** Log entries matching the query, oldest first. */
  events(query?: LogQuery): Array<LogEntry>
  /** Sequence number of the latest write (0 when none). */
  readonly sequence: number
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Installations and the write log, changed only by applying log entries (so replay gives the same state). */
export class EmulatorState implements EmulatorStateView {
  private readonly byId = new Map<string, Mutable<InstallationSnapshot>>()
  private log: Array<LogEntry> = []
  private lastSequence = 0

  constructor(
    private readonly ids: ReadonlyArray<string>,
    /** How many entries to keep in memory; older ones are dropped (the data file keeps them all). */
    private readonly logLimit = 100_000
  ) {
    this.reset()
  }

  get sequence(): number {
    return this.lastSequence
  }

  /** Clears every installation back to its seed and empties the log. */
  reset(): void {
    this.byId.clear()
    for (const id of this.ids) this.byId.set(id, { id })
    this.log = []
    this.lastSequence = 0
  }

  /** Applies one write. PATCH semantics: absent = unchanged, `notification: null` clears. */
  apply(entry: LogEntry): void {
    this.lastSequence = Math.max(this.lastSequence, entry.sequence)
    this.log.push(entry)
    // Trim in chunks so a long run does not shift the array on every write.
    if (this.log.length > this.logLimit * 1.25) this.log = this.log.slice(-this.logLimit)
    const installation = this.byId.get(entry.installationId)
    if (installation === undefined || entry.operation !== "updateInstallation") return
    const { billingPlan, notification, status, externalId } = entry.body
    if (billingPlan !== undefined) installation.billingPlan = billingPlan
    if (notification === null) delete installation.notification
    else if (notification !== undefined) installation.notification = notification
    if (status !== undefined) installation.status = status
    if (externalId !== undefined) installation.externalId = externalId
    installation.updatedAt = entry.at
  }

  installations(): Array<InstallationSnapshot> {
    return [...this.byId.values()].map((installation) => structuredClone(installation))
  }

  installation(id: string): InstallationSnapshot | undefined {
    const installation = this.byId.get(id)
    return installation === undefined ? undefined : structuredClone(installation)
  }

  events(query: LogQuery = {}): Array<LogEntry> {
    const since = query.since ?? 0
    const limit = query.limit ?? Number.POSITIVE_INFINITY
    const out: Array<LogEntry> = []
    for (let i = this.firstAfter(since); i < this.log.length && out.length < limit; i++) {
      const entry = this.log[i]!
      if (query.installationId !== undefined && entry.installationId !== query.installationId) continue
      if (query.operation !== undefined && entry.operation !== query.operation) continue
      out.push(structuredClone(entry))
    }
    return out
  }

  // The log is sorted by sequence: binary-search the first entry after `since`.
  private firstAfter(since: number): number {
    let low = 0
    let high = this.log.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.log[mid]!.sequence <= since) low = mid + 1
      else high = mid
    }
    return low
  }
}
