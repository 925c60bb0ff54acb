import type { RequestRecord } from "../src/emulator/RequestLog.js"
import type { InstallationSnapshot, LogEntry } from "../src/emulator/State.js"
import type { Settings } from "./Controls.js"

// Writes and requests the page keeps (the stream's snapshot sends at most as many).
const HISTORY = 500

/** What the page shows: the latest snapshot with every change since applied. */
export interface Model {
  readonly sequence: number
  readonly installations: ReadonlyArray<InstallationSnapshot>
  readonly events: ReadonlyArray<LogEntry>
  readonly requests: ReadonlyArray<RequestRecord>
  readonly settings: Settings
}

/** The stream's `snapshot` message. */
export type Snapshot = Model

/** The stream's `write` message. */
export interface Write {
  readonly entry: LogEntry
  readonly installation?: InstallationSnapshot
}

/** Before the first snapshot. */
export const empty: Model = {
  sequence: 0,
  installations: [],
  events: [],
  requests: [],
  settings: { rateLimit: null, chaos: null }
}

/** Applies one acknowledged write; a write the model has already seen is ignored. */
export const applyWrite = (model: Model, write: Write): Model => {
  if (write.entry.sequence <= model.sequence) return model
  const { installation } = write
  return {
    ...model,
    sequence: write.entry.sequence,
    installations:
      installation === undefined
        ? model.installations
        : model.installations.map((known) => (known.id === installation.id ? installation : known)),
    events: [...model.events, write.entry].slice(-HISTORY)
  }
}

/** Adds one answered request; one the model has already seen is ignored. */
export const applyRequest = (model: Model, record: RequestRecord): Model =>
  record.id <= (model.requests.at(-1)?.id ?? 0)
    ? model
    : { ...model, requests: [...model.requests, record].slice(-HISTORY) }

/** Takes the emulator's new rate-limit and chaos settings. */
export const applySettings = (model: Model, settings: Settings): Model => ({ ...model, settings })
