import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { afterEach, beforeEach, expect, it } from "vitest"
import { make } from "../src/Outbox.js"
import * as WalFlush from "../src/WalFlush.js"
import { tempDir } from "./support/fixtures.js"

let dir: ReturnType<typeof tempDir>
beforeEach(() => {
  dir = tempDir()
})
afterEach(() => dir.remove())

// Never called: these outboxes are opened to read their connection's settings, not to deliver.
const sender = { updateInstallation: () => Effect.void, createEvent: () => Effect.void }

const synchronous = Effect.map(
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ readonly synchronous: number }>`PRAGMA synchronous`),
  (rows) => rows[0]?.synchronous
)

let file = 0
// Each on a new file: WAL mode, once set, stays with the file.
const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>, disableWAL = false) =>
  Effect.runPromise(
    effect.pipe(
      Effect.scoped,
      Effect.provide(SqliteClient.layer({ filename: `${dir.dir}/store-${++file}.db`, disableWAL }))
    )
  )

it("flushes an outbox's own SQLite connection itself (NORMAL commits); a shared one keeps FULL", async () => {
  // 1 is NORMAL, 2 is FULL.
  expect(await run(Effect.zipRight(make(sender, {}, { exclusive: true }), synchronous))).toBe(1)
  expect(await run(Effect.zipRight(make(sender), synchronous))).toBe(2)
  // Without a WAL there is nothing to flush off the event loop: the connection keeps FULL.
  expect(await run(Effect.zipRight(make(sender, {}, { exclusive: true }), synchronous), true)).toBe(2)
  expect(await run(WalFlush.make, true)).toBeUndefined()
})

it("calls back only after a flush that started after the call", async () => {
  const order = await run(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const wal = yield* WalFlush.make
      if (wal === undefined) throw new Error("expected a WAL flusher")
      yield* sql`CREATE TABLE t (v TEXT)`
      return yield* Effect.async<ReadonlyArray<string>>((resume) => {
        const order: Array<string> = []
        // The first call starts a flush; the second, made while it runs, must wait for the next one,
        // which is a separate trip to the thread pool: not called in the same turn as the first.
        wal.after(() => {
          order.push("first")
          queueMicrotask(() => order.push("microtask after first"))
        })
        wal.after((error) => {
          order.push(error === undefined ? "second" : `second failed: ${error.message}`)
          setImmediate(() => resume(Effect.succeed(order)))
        })
      })
    })
  )
  expect(order).toEqual(["first", "microtask after first", "second"])
})
