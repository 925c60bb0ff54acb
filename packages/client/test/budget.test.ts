import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Timeout } from "../src/index.js"
import { clientFor, ID } from "./support/fixtures.js"
import { testServer } from "./support/TestServer.js"

describe("retry.maxElapsed is the whole call", () => {
  it.scopedLive("a silent upstream: budget 1.5 s, timeout 1 s → the call ends within 100 ms of 1.5 s", () =>
    Effect.gen(function* () {
      // The first request is answered, so the measured call runs warm; every later one gets silence.
      const server = yield* testServer((_, index) => (index === 0 ? { status: 204 } : { hang: true }))
      const client = yield* clientFor(server.url, {
        timeout: "1 second",
        retry: { maxElapsed: "1500 millis", baseDelay: "200 millis", maxDelay: "1 second" }
      })
      yield* client.updateInstallation(ID, { status: "ready" })
      const started = Date.now()
      const error = yield* Effect.flip(client.updateInstallation(ID, { status: "ready" }))
      const elapsed = Date.now() - started
      expect(error).toBeInstanceOf(Timeout)
      // The second attempt only had what was left of the budget.
      expect(error.attempts).toBe(2)
      expect(error.message).toContain("what was left of retry.maxElapsed")
      expect(Math.abs(elapsed - 1500), `ended after ${elapsed} ms`).toBeLessThan(100)
    })
  )
})
