import type { LogEntry } from "./State.js"

/** Something that changed in a running emulator; the dashboard's event stream relays these. */
export type EmulatorChange =
  | { readonly type: "write"; readonly entry: LogEntry }
  | { readonly type: "reset" }
  | { readonly type: "closed" }

/** A listener of {@link ChangeFeed}. */
export type ChangeListener = (change: EmulatorChange) => void

/**
 * Fan-out of emulator changes to its listeners (the open dashboard streams). Publishing is
 * synchronous and a throwing listener is dropped, so a broken stream never fails a write.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>()

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Tells every listener. */
  publish(change: EmulatorChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch {
        this.listeners.delete(listener)
      }
    }
  }

  /** How many listeners are subscribed. */
  get size(): number {
    return this.listeners.size
  }
}
