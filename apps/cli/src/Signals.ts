import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"

/** Exit codes after a signal: 128 + its number, as shells report them. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const

/** A signal that asks a long-running command to stop. */
export type StopSignal = keyof typeof SIGNAL_EXIT

/**
 * Replaces the process's handlers of SIGINT, SIGTERM and SIGHUP for the life of the scope: the first
 * signal completes `stop`; a second one exits at once (the commands using this commit as they go).
 */
export const trap = (stop: Deferred.Deferred<StopSignal>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = new Map<StopSignal, Array<NodeJS.SignalsListener>>()
      const handlers = new Map<StopSignal, NodeJS.SignalsListener>()
      let signalled = false
      for (const signal of Object.keys(SIGNAL_EXIT) as Array<StopSignal>) {
        saved.set(signal, process.listeners(signal))
        process.removeAllListeners(signal)
        const handler = () => {
          if (signalled) process.exit(SIGNAL_EXIT[signal])
          signalled = true
          Deferred.unsafeDone(stop, Effect.succeed(signal))
        }
        handlers.set(signal, handler)
        process.on(signal, handler)
      }
      return { saved, handlers }
    }),
    ({ saved, handlers }) =>
      Effect.sync(() => {
        for (const [signal, handler] of handlers) process.off(signal, handler)
        for (const [signal, listeners] of saved)
          for (const listener of listeners) process.on(signal, listener)
      })
  )
