import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"

// Node fires longer timers at once; a timeout that long can never be reached anyway.
const MAX_TIMER_MS = 2 ** 31 - 1

// Effect's own real-time clocks (the default one among them); any other (e.g. a TestClock) gets
// `Effect.timeoutTo`, which runs on it. Told apart by prototype rather than by running an effect at
// import, which would pull Effect's synchronous runner into every bundle of the Promise facade.
const liveClock: unknown = Object.getPrototypeOf(Clock.make())

/**
 * `Effect.timeoutFail` for the hot path: Effect's own races two forked fibers (the effect and a
 * sleeper) and then interrupts and awaits the loser, which costs more CPU than the rest of a call.
 * Here, on the live clock, only the effect is forked and a plain timer interrupts it; on any other
 * clock (a TestClock) it is `Effect.timeoutTo`. An interruption of the caller reaches the child.
 * The child hands back its outcome as an `Exit` rather than failing, as a failed fiber is logged
 * ("Fiber terminated with an unhandled error") at Debug level, which `mkit --verbose` shows.
 * @internal
 */
export const timeoutFail = <A, E, E2>(
  effect: Effect.Effect<A, E>,
  millis: number,
  onTimeout: () => Effect.Effect<never, E2>
): Effect.Effect<A, E | E2> => {
  if (!(millis <= MAX_TIMER_MS)) return effect
  return Effect.clockWith((clock) =>
    Object.getPrototypeOf(clock) !== liveClock
      ? Effect.flatten(
          Effect.timeoutTo(effect, {
            duration: Duration.millis(millis),
            onSuccess: Effect.succeed,
            onTimeout
          })
        )
      : Effect.flatMap(Effect.fork(Effect.exit(effect)), (child) =>
          Effect.async<A, E | E2>((resume) => {
            // Armed before observing: a child that has already finished calls `onDone` at once,
            // which must find the timer to clear.
            const timer = setTimeout(() => {
              child.removeObserver(onDone)
              resume(Effect.andThen(Fiber.interrupt(child), onTimeout()))
            }, millis)
            const onDone = (exit: Exit.Exit<Exit.Exit<A, E>>) => {
              clearTimeout(timer)
              resume(Exit.flatten(exit))
            }
            child.addObserver(onDone)
            return Effect.suspend(() => {
              clearTimeout(timer)
              child.removeObserver(onDone)
              return Fiber.interrupt(child)
            })
          })
        )
  )
}
