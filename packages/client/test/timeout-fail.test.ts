import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as TestClock from "effect/TestClock"
import { timeoutFail } from "../src/internal/timeoutFail.js"

const timedOut = () => Effect.fail("timed out" as const)
const realPause = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

describe("timeoutFail (live clock)", () => {
  it.live("a child that has already finished: its value, and no timeout fires later", () =>
    Effect.gen(function* () {
      let fired = 0
      const result = yield* timeoutFail(Effect.succeed(42), 20, () => {
        fired++
        return timedOut()
      })
      expect(result).toBe(42)
      yield* realPause(40)
      expect(fired).toBe(0)
    })
  )

  it.live("a failing child fails the same way, without a 'Fiber terminated' log line", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const capture = Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
      const error = yield* Effect.flip(timeoutFail(Effect.fail("boom" as const), 1000, timedOut)).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      expect(error).toBe("boom")
      yield* realPause(5)
      expect(lines).toEqual([])
    })
  )

  it.live("timeout: the child is interrupted and onTimeout's failure is the result", () =>
    Effect.gen(function* () {
      const interrupted = yield* Deferred.make<void>()
      const child = Effect.onInterrupt(Effect.never, () => Deferred.succeed(interrupted, undefined))
      const started = Date.now()
      const error = yield* Effect.flip(timeoutFail(child, 30, timedOut))
      expect(error).toBe("timed out")
      expect(Date.now() - started).toBeGreaterThanOrEqual(25)
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
    })
  )

  it.live("interrupting the caller interrupts the child and clears the timer", () =>
    Effect.gen(function* () {
      let fired = 0
      const interrupted = yield* Deferred.make<void>()
      const child = Effect.onInterrupt(Effect.never, () => Deferred.succeed(interrupted, undefined))
      const caller = yield* Effect.fork(
        timeoutFail(child, 30, () => {
          fired++
          return timedOut()
        })
      )
      yield* realPause(5)
      yield* Fiber.interrupt(caller)
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
      yield* realPause(50)
      expect(fired).toBe(0)
    })
  )
})

describe("timeoutFail (TestClock)", () => {
  it.effect("runs on the Effect clock: adjusting a TestClock fires it", () =>
    Effect.gen(function* () {
      const call = yield* Effect.fork(Effect.flip(timeoutFail(Effect.never, 10_000, timedOut)))
      yield* TestClock.adjust("9999 millis")
      expect(call.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(call)).toBe("timed out")
    })
  )

  it.effect("a child finishing before the deadline wins", () =>
    Effect.gen(function* () {
      const call = yield* Effect.fork(
        timeoutFail(Effect.as(Effect.sleep("5 seconds"), "done"), 10_000, timedOut)
      )
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(call)).toBe("done")
    })
  )
})
