import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/** One schema change; applied once, in version order, and recorded in `mkit_outbox_schema`. */
interface Migration {
  readonly version: number
  readonly name: string
  readonly up: Effect.Effect<void, SqlError, SqlClient.SqlClient>
}

const createOps = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const id = sql.onDialectOrElse({
    pg: () => sql.unsafe("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
    orElse: () => sql.unsafe("INTEGER PRIMARY KEY AUTOINCREMENT")
  })
  yield* sql`CREATE TABLE mkit_outbox_ops (
    id ${id},
    installation_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    input TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    available_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    coalesced_into BIGINT
  )`
  // The claim query walks pending ops in id order and probes each one's installation for an older one.
  yield* sql`CREATE INDEX mkit_outbox_ops_pending ON mkit_outbox_ops (status, id)`
  yield* sql`CREATE INDEX mkit_outbox_ops_installation ON mkit_outbox_ops (installation_id, status, id)`
})

// Bulk runs keep one op per input line: `op_key` makes re-reading a file idempotent, `source` keeps the
// line verbatim for `--failed`.
const addKeyAndSource = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE mkit_outbox_ops ADD COLUMN op_key TEXT`
  yield* sql`ALTER TABLE mkit_outbox_ops ADD COLUMN source TEXT`
  yield* sql`CREATE UNIQUE INDEX mkit_outbox_ops_key ON mkit_outbox_ops (op_key)`
})

/** Every migration, oldest first. Never edit a released one: add the next version instead. */
export const migrations: ReadonlyArray<Migration> = [
  { version: 1, name: "create ops", up: createOps },
  { version: 2, name: "op key and source", up: addKeyAndSource }
]

/** The schema version this release writes. */
export const latestVersion = migrations.at(-1)!.version

// Any number, as long as every outbox agrees: it serializes concurrent openers on one PostgreSQL.
const PG_LOCK = 7_311_977_001

/**
 * Brings the schema up to `upTo` (default: the latest) in one transaction. Opening processes may race
 * (several workers starting at once): PostgreSQL serializes them with an advisory lock, and SQLite's
 * writer lock does the same, with a retry for the rare busy snapshot.
 */
export const migrate = (upTo: number = latestVersion): Effect.Effect<number, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql.onDialectOrElse({
          pg: () => sql`SELECT pg_advisory_xact_lock(${PG_LOCK})`,
          orElse: () => Effect.void
        })
        yield* sql`CREATE TABLE IF NOT EXISTS mkit_outbox_schema (
          version INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at BIGINT NOT NULL
        )`
        const rows = yield* sql<{ readonly version: number | string | null }>`
          SELECT MAX(version) AS version FROM mkit_outbox_schema`
        const current = Number(rows[0]?.version ?? 0)
        for (const migration of migrations) {
          if (migration.version <= current || migration.version > upTo) continue
          yield* migration.up
          yield* sql`INSERT INTO mkit_outbox_schema ${sql.insert({
            version: migration.version,
            name: migration.name,
            applied_at: Date.now()
          })}`
        }
        return Math.max(current, Math.min(upTo, latestVersion))
      })
    )
  }).pipe(Effect.retry({ times: 5, schedule: Schedule.exponential("20 millis") }))
