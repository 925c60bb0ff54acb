import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Operation } from "@marketplace-kit/client"
import type { MarketplaceEvent, UpdateInstallationBody } from "@marketplace-kit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** Where an op is in its life. `pending` covers both waiting and in flight (leased). */
export type OpStatus = "pending" | "delivered" | "failed" | "coalesced" | "rejected"

/** The last error of a failed attempt, as stored (never the token: client errors do not carry it). */
export interface StoredError {
  readonly type: string
  readonly message: string
  readonly status?: number
  readonly code?: string
  /** Requests the client sent for this delivery. */
  readonly attempts?: number
  /** The `x-vercel-id` of the last response, to quote to Vercel support. */
  readonly requestId?: string
}

/** One op as read back from the store. */
export interface StoredOp {
  /** Enqueue order, unique per store. */
  readonly id: string
  readonly installationId: string
  readonly operation: Operation
  /** The validated body (update) or event (createEvent). */
  readonly input: UpdateInstallationBody | MarketplaceEvent
  readonly status: OpStatus
  /** Deliveries started so far (a crash mid-delivery counts). */
  readonly attempts: number
  readonly lastError?: StoredError
  /** Caller's idempotency key (bulk: the line number). */
  readonly key?: string
  /** Caller's verbatim source text (bulk: the input line). */
  readonly source?: string
}

/** What `enqueue` stores. */
export interface NewOp {
  readonly installationId: string
  readonly operation: Operation
  readonly input: UpdateInstallationBody | MarketplaceEvent
  readonly key?: string
  readonly source?: string
  /** Stores the op as already refused (bulk's invalid lines); it is never delivered. */
  readonly rejected?: StoredError
}

/** Counts by state; `inFlight` are pending ops under a live lease. */
export interface OutboxStats {
  readonly pending: number
  readonly inFlight: number
  readonly delivered: number
  readonly failed: number
  readonly coalesced: number
}

interface Row {
  readonly id: number | string
  readonly installation_id: string
  readonly operation: string
  readonly input: string
  readonly status: string
  readonly attempts: number | string
  readonly last_error: string | null
  readonly op_key: string | null
  readonly source: string | null
}

const toOp = (row: Row): StoredOp => ({
  id: String(row.id),
  installationId: row.installation_id,
  operation: row.operation as Operation,
  input: JSON.parse(row.input) as UpdateInstallationBody | MarketplaceEvent,
  status: row.status as OpStatus,
  attempts: Number(row.attempts),
  ...(row.last_error === null ? {} : { lastError: JSON.parse(row.last_error) as StoredError }),
  ...(row.op_key === null ? {} : { key: row.op_key }),
  ...(row.source === null ? {} : { source: row.source })
})

const byId = (a: StoredOp, b: StoredOp) => Number(a.id) - Number(b.id)

const insertRow = (op: NewOp, now: number) => ({
  installation_id: op.installationId,
  operation: op.operation,
  input: JSON.stringify(op.input),
  status: op.rejected === undefined ? "pending" : "rejected",
  attempts: 0,
  available_at: now,
  created_at: now,
  last_error: op.rejected === undefined ? null : JSON.stringify(op.rejected),
  op_key: op.key ?? null,
  source: op.source ?? null
})

/** The INSERT of one op, as a statement (so a caller's own driver can run it in its transaction). */
export const insertStatement = (sql: SqlClient.SqlClient, op: NewOp, now: number) =>
  sql`INSERT INTO mkit_outbox_ops ${sql.insert(insertRow(op, now))} ON CONFLICT (op_key) DO NOTHING RETURNING id`

interface InsertedRow {
  readonly id: unknown
  readonly op_key: string | null
}

// The rows an INSERT returns come in no promised order: a keyed op finds its id by key; the unkeyed ones
// took their ids in the order they were given, so they get the rest in ascending order.
const idsOf = (ops: ReadonlyArray<NewOp>, rows: ReadonlyArray<InsertedRow>) => {
  const byKey = new Map<string, string>()
  const unkeyed: Array<string> = []
  for (const row of rows) {
    if (row.op_key === null) unkeyed.push(String(row.id))
    else byKey.set(row.op_key, String(row.id))
  }
  unkeyed.sort((a, b) => Number(a) - Number(b))
  let next = 0
  return ops.map((op) => {
    if (op.key === undefined) return unkeyed[next++]
    const id = byKey.get(op.key)
    // Only the first op with a key was inserted; a repeat of it in the same batch was not.
    byKey.delete(op.key)
    return id
  })
}

// Rows per INSERT: 10 parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535.
const INSERT_ROWS = 500

/**
 * Stores ops, a multi-row INSERT per 500 (in one transaction when there are more); yields each one's id,
 * or `undefined` where its key was already stored (or repeats an earlier op's key in `ops`).
 */
export const enqueue = (
  ops: ReadonlyArray<NewOp>,
  now: number
): Effect.Effect<ReadonlyArray<string | undefined>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const chunk = (part: ReadonlyArray<NewOp>) =>
      Effect.map(
        sql<InsertedRow>`INSERT INTO mkit_outbox_ops ${sql.insert(
          part.map((op) => insertRow(op, now))
        )} ON CONFLICT (op_key) DO NOTHING RETURNING id, op_key`,
        (rows) => idsOf(part, rows)
      )
    const parts: Array<ReadonlyArray<NewOp>> = []
    for (let i = 0; i < ops.length; i += INSERT_ROWS) parts.push(ops.slice(i, i + INSERT_ROWS))
    const all = Effect.map(Effect.forEach(parts, chunk), (ids) => ids.flat())
    return parts.length <= 1 ? all : sql.withTransaction(all)
  })

/** What one writer turn stores and claims. */
export interface Turn {
  readonly inserts: ReadonlyArray<NewOp>
  /** Ops delivered on their own (nothing coalesced into them). */
  readonly delivered: ReadonlyArray<string>
  readonly now: number
  /** Leases up to `limit` ops (none at 0 or below), after the writes above, so it sees them. */
  readonly claim: {
    readonly owner: string
    readonly limit: number
    readonly leaseMs: number
    /** `false` claims any due op, ignoring order within an installation (for independent ops). */
    readonly ordered?: boolean
  }
}

/**
 * Runs a writer turn: stores `inserts` (yielding their ids as `enqueue` does), marks `delivered`, then
 * leases up to `claim.limit` ops that are each the oldest pending op of their installation, due, and not
 * under a live lease, so one installation never has two ops in flight and its ops go in order. On
 * PostgreSQL it is one call of `mkit_outbox_turn` (one round trip, atomic by itself), whose claim takes
 * `FOR UPDATE SKIP LOCKED` so concurrent workers claim different installations without waiting; on
 * SQLite its statements run under the database's one writer lock (in one transaction).
 */
export const turn = (
  t: Turn
): Effect.Effect<
  { readonly ids: ReadonlyArray<string | undefined>; readonly claimed: ReadonlyArray<StoredOp> },
  SqlError,
  SqlClient.SqlClient
> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const { inserts, delivered, now, claim } = t
    const { owner, limit, leaseMs } = claim
    const ordered = claim.ordered !== false
    const pg = Effect.map(
      sql<Row & { readonly kind: "inserted" | "claimed" }>`SELECT * FROM mkit_outbox_turn(
        ${JSON.stringify(inserts.map((op) => insertRow(op, now)))}::jsonb,
        ${JSON.stringify(delivered.map(Number))}::jsonb,
        ${now}::bigint, ${owner}::text, ${Math.max(0, limit)}::integer, ${leaseMs}::bigint, ${ordered}::boolean
      )`,
      (rows) => ({
        ids: idsOf(
          inserts,
          rows.filter((row) => row.kind === "inserted")
        ),
        claimed: rows
          .filter((row) => row.kind === "claimed")
          .map(toOp)
          .sort(byId)
      })
    )
    const inOrder = ordered
      ? sql`AND NOT EXISTS (
          SELECT 1 FROM mkit_outbox_ops p
          WHERE p.installation_id = o.installation_id AND p.status = 'pending' AND p.id < o.id
        )`
      : sql.unsafe("")
    const claimed = sql<Row>`WITH next AS (
      SELECT o.id FROM mkit_outbox_ops o
      WHERE o.status = 'pending' AND o.available_at <= ${now}
        AND (o.lease_until IS NULL OR o.lease_until <= ${now})
        ${inOrder}
      ORDER BY o.id
      LIMIT ${limit}
    )
    UPDATE mkit_outbox_ops SET lease_owner = ${owner}, lease_until = ${now + leaseMs}, attempts = attempts + 1
    WHERE id IN (SELECT id FROM next)
    RETURNING id, installation_id, operation, input, status, attempts, last_error, op_key, source`
    const steps = Effect.gen(function* () {
      const ids = inserts.length === 0 ? [] : yield* enqueue(inserts, now)
      if (delivered.length > 0) yield* deliveredAlone(delivered, now)
      const rows = limit <= 0 ? [] : yield* claimed
      return { ids, claimed: rows.map(toOp).sort(byId) }
    })
    const parts = (inserts.length > 0 ? 1 : 0) + (delivered.length > 0 ? 1 : 0) + (limit > 0 ? 1 : 0)
    return sql.onDialectOrElse({
      pg: () => pg,
      orElse: () =>
        parts <= 1
          ? steps
          : Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (open) =>
              Option.isSome(open) ? steps : sql.withTransaction(steps)
            )
    })
  })

/** The pending ops queued after `op` for its installation, oldest first (candidates for coalescing). */
export const following = (
  op: StoredOp,
  limit: number
): Effect.Effect<ReadonlyArray<StoredOp>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (
      sql
    ) => sql<Row>`SELECT id, installation_id, operation, input, status, attempts, last_error, op_key, source
      FROM mkit_outbox_ops
      WHERE installation_id = ${op.installationId} AND status = 'pending' AND id > ${Number(op.id)}
        AND lease_until IS NULL
      ORDER BY id LIMIT ${limit}`
  ).pipe(Effect.map((rows) => rows.map(toOp)))

/** Marks ops delivered on their own (nothing coalesced into them), in one statement. */
export const deliveredAlone = (
  ids: ReadonlyArray<string>,
  now: number
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`UPDATE mkit_outbox_ops
      SET status = 'delivered', finished_at = ${now}, lease_owner = NULL, lease_until = NULL
      WHERE ${sql.in(
        "id",
        ids.map((id) => Number(id))
      )} AND status = 'pending'`
  ).pipe(Effect.asVoid)

/** Marks a delivered op, and the ops its request stood for as `coalesced` into it, in one transaction. */
export const delivered = (
  op: StoredOp,
  merged: ReadonlyArray<StoredOp>,
  now: number
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const head = deliveredAlone([op.id], now)
    if (merged.length === 0) return head
    const rest = sql`UPDATE mkit_outbox_ops
      SET status = 'coalesced', finished_at = ${now}, coalesced_into = ${Number(op.id)}
      WHERE ${sql.in(
        "id",
        merged.map((m) => Number(m.id))
      )} AND status = 'pending' AND lease_until IS NULL`
    return sql.withTransaction(Effect.zipRight(head, rest))
  })

/** Dead-letters ops with their error; they wait for `retryFailed`. */
export const failed = (
  ops: ReadonlyArray<StoredOp>,
  error: StoredError,
  now: number
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`UPDATE mkit_outbox_ops
      SET status = 'failed', finished_at = ${now}, last_error = ${JSON.stringify(error)},
        lease_owner = NULL, lease_until = NULL
      WHERE ${sql.in(
        "id",
        ops.map((op) => Number(op.id))
      )} AND status = 'pending'`
  ).pipe(Effect.asVoid)

/** Gives a leased op back for a later attempt at `availableAt` (only if this worker still holds it). */
export const reschedule = (
  op: StoredOp,
  owner: string,
  availableAt: number,
  error: StoredError | undefined
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`UPDATE mkit_outbox_ops
      SET available_at = ${availableAt}, lease_owner = NULL, lease_until = NULL,
        last_error = ${error === undefined ? null : JSON.stringify(error)}
      WHERE id = ${Number(op.id)} AND status = 'pending' AND lease_owner = ${owner}`
  ).pipe(Effect.asVoid)

/** Extends this worker's leases on `ids` (the ops it is delivering) to `leaseUntil`, in one statement. */
export const renewLeases = (
  ids: ReadonlyArray<string>,
  owner: string,
  leaseUntil: number
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`UPDATE mkit_outbox_ops SET lease_until = ${leaseUntil}
      WHERE ${sql.in(
        "id",
        ids.map((id) => Number(id))
      )} AND status = 'pending' AND lease_owner = ${owner}`
  ).pipe(Effect.asVoid)

/** Drops every lease at once: for a single runner (bulk) resuming after its own crash. */
export const releaseAllLeases: Effect.Effect<number, SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    Effect.map(
      sql<{ readonly id: unknown }>`UPDATE mkit_outbox_ops SET lease_owner = NULL, lease_until = NULL
        WHERE status = 'pending' AND lease_owner IS NOT NULL RETURNING id`,
      (rows) => rows.length
    )
)

const count = (value: unknown) => Number(value ?? 0)

/** Counts by state at `now`. */
export const stats = (now: number): Effect.Effect<OutboxStats, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly status: string; readonly leased: unknown; readonly n: unknown }>`
        SELECT status, leased, COUNT(*) AS n FROM (
          SELECT status, CASE WHEN lease_until > ${now} THEN 1 ELSE 0 END AS leased FROM mkit_outbox_ops
        ) ops GROUP BY status, leased`,
      (rows) => {
        const stats = { pending: 0, inFlight: 0, delivered: 0, failed: 0, coalesced: 0 }
        for (const row of rows) {
          const n = count(row.n)
          if (row.status === "pending") {
            if (count(row.leased) === 1) stats.inFlight += n
            else stats.pending += n
          } else if (row.status in stats) stats[row.status as keyof typeof stats] += n
        }
        return stats
      }
    )
  )

/** Whether any op is pending (waiting or in flight). */
export const hasPending: Effect.Effect<boolean, SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    Effect.map(
      sql`SELECT 1 AS one FROM mkit_outbox_ops WHERE status = 'pending' LIMIT 1`,
      (rows) => rows.length > 0
    )
)

/** Failed (and, with `rejected`, refused) ops after `afterId`, oldest first, a page at a time. */
export const listFailed = (options: {
  readonly afterId?: string
  readonly limit: number
  readonly rejected?: boolean
}): Effect.Effect<ReadonlyArray<StoredOp>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    // Spelled out rather than bound, so the planner knows they match the index of failed ops.
    const statuses = sql.unsafe(options.rejected ? "('failed', 'rejected')" : "('failed')")
    return sql<Row>`SELECT id, installation_id, operation, input, status, attempts, last_error, op_key, source
      FROM mkit_outbox_ops
      WHERE status IN ${statuses} AND id > ${Number(options.afterId ?? 0)}
      ORDER BY id LIMIT ${options.limit}`
  }).pipe(Effect.map((rows) => rows.map(toOp)))

/** Puts every failed op back to pending, due now; yields how many. */
export const retryFailed = (now: number): Effect.Effect<number, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly id: unknown }>`UPDATE mkit_outbox_ops
        SET status = 'pending', available_at = ${now}, attempts = 0, finished_at = NULL
        WHERE status = 'failed' RETURNING id`,
      (rows) => rows.length
    )
  )

/** Pending ops that were attempted before (in flight at a crash, or waiting for a retry). */
export const countAttemptedPending: Effect.Effect<number, SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    Effect.map(
      sql<{ readonly n: unknown }>`SELECT COUNT(*) AS n FROM mkit_outbox_ops
        WHERE status = 'pending' AND attempts > 0`,
      (rows) => count(rows[0]?.n)
    )
)
