import { closeSync, fdatasync, openSync } from "node:fs"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/**
 * Makes SQLite commits durable off the event loop. With `synchronous = FULL` every COMMIT flushes the
 * WAL to disk inside the synchronous driver, blocking the thread; here commits run with `NORMAL` (no
 * flush) and one `fdatasync` of the WAL on libuv's thread pool then covers every commit made before it
 * started, which is what FULL guarantees per commit (checkpoints still flush the WAL first themselves).
 * Nothing may be acknowledged before the flush that covers its commit has returned.
 */
export interface WalFlush {
  /** Calls `done` once a flush that started after this call has finished (with its error, if it failed). */
  readonly after: (done: (error: SqlError | undefined) => void) => void
  /** The same, as an effect. */
  readonly flush: Effect.Effect<void, SqlError>
}

/**
 * A flusher for the SQLite store in context when it is in WAL mode on a file, switching its connection
 * to `synchronous = NORMAL`; `undefined` otherwise (the caller keeps FULL). Only for a connection no one
 * else writes through: their commits would no longer be flushed.
 */
export const make: Effect.Effect<WalFlush | undefined, SqlError, SqlClient.SqlClient | Scope.Scope> =
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [mode] = yield* sql<{ readonly journal_mode: string }>`PRAGMA journal_mode`
    const main = (yield* sql<{ readonly name: string; readonly file: string }>`PRAGMA database_list`).find(
      (db) => db.name === "main"
    )
    if (mode?.journal_mode.toLowerCase() !== "wal" || !main?.file) return undefined
    // SQLite creates the WAL file when the database is first read.
    yield* sql`SELECT COUNT(*) AS n FROM sqlite_master`
    const fd = yield* Effect.acquireRelease(
      Effect.option(Effect.try(() => openSync(`${main.file}-wal`, "r+"))),
      (fd) => Effect.sync(() => fd._tag === "Some" && closeSync(fd.value))
    )
    if (fd._tag === "None") return undefined
    yield* sql`PRAGMA synchronous = NORMAL`
    let waiting: Array<(error: SqlError | undefined) => void> = []
    let flushing = false
    const next = () => {
      if (flushing || waiting.length === 0) return
      const batch = waiting
      waiting = []
      flushing = true
      fdatasync(fd.value, (cause) => {
        flushing = false
        const error = cause === null ? undefined : new SqlError({ cause, message: "Failed to flush the WAL" })
        for (const done of batch) done(error)
        next()
      })
    }
    const after = (done: (error: SqlError | undefined) => void) => {
      waiting.push(done)
      next()
    }
    return {
      after,
      flush: Effect.async<void, SqlError>((resume) =>
        after((error) => resume(error === undefined ? Effect.void : Effect.fail(error)))
      )
    }
  })
