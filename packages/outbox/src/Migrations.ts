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

// PostgreSQL: a writer turn (the enqueues, plain deliveries and claim the outbox commits together) as one
// function, so a turn is one statement (one round trip, its own transaction) instead of six. It runs
// with sorting off: the claim then walks pending ops in id order through the pending index and
// stops at the limit, whatever stale statistics say (a sort plan read every pending op per claim).
// SQLite, in process, has no round trips to save: it runs the same statements one by one.
const addTurnFunction = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // The status indexes hold only the rows their queries look for, so recording an outcome removes an
  // op from them instead of re-inserting it (PostgreSQL: an update that changes `status` adds a
  // tuple to every index whose predicate the new row matches), and they stay as small as the backlog
  // however many ops were ever delivered.
  yield* sql`DROP INDEX mkit_outbox_ops_pending`
  yield* sql`DROP INDEX mkit_outbox_ops_installation`
  yield* sql`CREATE INDEX mkit_outbox_ops_pending ON mkit_outbox_ops (id) WHERE status = 'pending'`
  yield* sql`CREATE INDEX mkit_outbox_ops_installation ON mkit_outbox_ops (installation_id, id)
    WHERE status = 'pending'`
  yield* sql`CREATE INDEX mkit_outbox_ops_failed ON mkit_outbox_ops (id) WHERE status IN ('failed', 'rejected')`
  yield* sql.onDialectOrElse({
    pg: () =>
      sql.unsafe(`CREATE OR REPLACE FUNCTION mkit_outbox_turn(
  new_ops jsonb, delivered_ids jsonb, now_ms bigint, claim_owner text, claim_limit integer,
  lease_ms bigint, in_order boolean
) RETURNS TABLE (
  kind text, id bigint, installation_id text, operation text, input text, status text,
  attempts integer, last_error text, op_key text, source text
) LANGUAGE plpgsql SET enable_sort = off AS $turn$
#variable_conflict use_column
BEGIN
  IF jsonb_array_length(new_ops) > 0 THEN
    -- Ids are taken in array order (the unkeyed ops' ids are matched to them in that order).
    RETURN QUERY WITH inserted AS (
      INSERT INTO mkit_outbox_ops (installation_id, operation, input, status, attempts, available_at,
        created_at, last_error, op_key, source)
      SELECT e.op->>'installation_id', e.op->>'operation', e.op->>'input', e.op->>'status', 0, now_ms,
        now_ms, e.op->>'last_error', e.op->>'op_key', e.op->>'source'
      FROM jsonb_array_elements(new_ops) WITH ORDINALITY AS e(op, ord) ORDER BY e.ord
      ON CONFLICT (op_key) DO NOTHING
      RETURNING mkit_outbox_ops.id, mkit_outbox_ops.op_key
    ) SELECT 'inserted'::text, i.id, NULL::text, NULL::text, NULL::text, NULL::text, NULL::integer,
        NULL::text, i.op_key, NULL::text FROM inserted i;
  END IF;
  IF jsonb_array_length(delivered_ids) > 0 THEN
    UPDATE mkit_outbox_ops o SET status = 'delivered', finished_at = now_ms, lease_owner = NULL,
      lease_until = NULL
    WHERE o.id IN (SELECT d::bigint FROM jsonb_array_elements_text(delivered_ids) AS d)
      AND o.status = 'pending';
  END IF;
  IF claim_limit > 0 THEN
    RETURN QUERY WITH next AS (
      SELECT c.id FROM mkit_outbox_ops c
      WHERE c.status = 'pending' AND c.available_at <= now_ms
        AND (c.lease_until IS NULL OR c.lease_until <= now_ms)
        AND (NOT in_order OR NOT EXISTS (
          SELECT 1 FROM mkit_outbox_ops p
          WHERE p.installation_id = c.installation_id AND p.status = 'pending' AND p.id < c.id
        ))
      ORDER BY c.id
      LIMIT claim_limit
      FOR UPDATE SKIP LOCKED
    )
    UPDATE mkit_outbox_ops u SET lease_owner = claim_owner, lease_until = now_ms + lease_ms,
      attempts = u.attempts + 1
    FROM next WHERE u.id = next.id
    RETURNING 'claimed'::text, u.id, u.installation_id, u.operation, u.input, u.status, u.attempts,
      u.last_error, u.op_key, u.source;
  END IF;
END
$turn$`),
    orElse: () => Effect.void
  })
})

/** Every migration, oldest first. Never edit a released one: add the next version instead. */
export const migrations: ReadonlyArray<Migration> = [
  { version: 1, name: "create ops", up: createOps },
  { version: 2, name: "op key and source", up: addKeyAndSource },
  { version: 3, name: "pending-only indexes and turn function", up: addTurnFunction }
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
