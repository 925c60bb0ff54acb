import type { LogEntry } from "./State.js"

/** Something that changed in a running emulator's state; the dashboard's event stream relays these. */
export type EmulatorChange =
  | { readonly type: "write"; readonly entry: LogEntry }
  | { readonly type: "settings" }
  | { readonly type: "reset" }
  | { readonly type: "closed" }

/**
 * Fan-out of changes to their listeners (the open dashboard streams). Publishing is synchronous and
 * a throwing listener is dropped, so a broken stream never fails a write or a request.
 */
export class ChangeFeed<T> {
  private readonly listeners = new Set<(change: T) => void>()

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (change: T) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Tells every listener. */
  publish(change: T): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch {
        this.listeners.delete(listener)
      }
    }
  }
}
