import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import {
  MarketplaceClient,
  type MarketplaceClientService,
  type MarketplaceError,
  type Operation,
  planRequest,
  Retry,
  type ValidationError
} from "@marketplace-kit/client"
import type { MarketplaceEvent, UpdateInstallationBody } from "@marketplace-kit/core"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import { coalescible, mergeUpdates } from "./Coalesce.js"
import { migrate } from "./Migrations.js"
import * as Store from "./Store.js"
import * as WalFlush from "./WalFlush.js"

/** How the outbox stores and retries; every field has a default. */
export interface OutboxOptions {
  /**
   * Deliver each installation's ops one at a time in enqueue order (default true). `false` treats every
   * op as independent and sends them in parallel (what `mkit bulk` does with its lines); it also turns
   * coalescing off, since merging relies on that order.
   */
  readonly ordered?: boolean
  /** Merge consecutive pending PATCHes (and dedupe identical consecutive events) of one installation (default true). */
  readonly coalesce?: boolean
  /**
   * How long a claimed op is reserved for its worker (default 120 s). A live worker renews it every third
   * of it while delivering; a dead worker's ops are re-claimed once it runs out.
   */
  readonly leaseMs?: number
  /** Deliveries of one op before a retryable failure becomes a dead letter (default 20). */
  readonly maxDeliveries?: number
  /** First wait before redelivering after a retryable failure, doubled each time, jittered ±20% (default 1 s). */
  readonly backoffBaseMs?: number
  /** Longest wait between deliveries; a longer `Retry-After` is still honoured (default 5 min). */
  readonly backoffMaxMs?: number
  /** How often an idle worker looks for work other processes stored (default 200 ms). */
  readonly pollMs?: number
  /**
   * SQLite only. `"full"` (default) flushes each commit to disk, so an acknowledged op survives power
   * loss; `"normal"` survives a crash of the process but may lose the last commits on power loss (for
   * stores whose ops can be stored again, like `mkit bulk`'s state file).
   */
  readonly synchronous?: "full" | "normal"
}

/** What happened to one claimed op (and the ops coalesced into its request). */
export type DeliveryOutcome =
  | {
      readonly kind: "delivered"
      readonly op: Store.StoredOp
      readonly merged: ReadonlyArray<Store.StoredOp>
    }
  | {
      readonly kind: "failed"
      readonly op: Store.StoredOp
      readonly merged: ReadonlyArray<Store.StoredOp>
      readonly error: Store.StoredError
    }
  | { readonly kind: "retrying"; readonly op: Store.StoredOp; readonly error: Store.StoredError }

/** Options of `start`. */
export interface StartOptions {
  /** Ops in flight at once in this process, each of a different installation (default 8). */
  readonly concurrency?: number
  /** Called after each delivery attempt settles (e.g. for progress). */
  readonly onOutcome?: (outcome: DeliveryOutcome) => void
}

/** The outbox's operations. Enqueueing validates first and succeeds only once the op is stored. */
export interface OutboxService {
  /** Stores a `PATCH /v1/installations/{id}`; yields the op id. Joins the caller's `sql.withTransaction`. */
  readonly updateInstallation: (
    id: string,
    body: UpdateInstallationBody
  ) => Effect.Effect<string, ValidationError | SqlError>
  /** Stores a `POST /v1/installations/{id}/events`; yields the op id. Joins the caller's `sql.withTransaction`. */
  readonly createEvent: (
    id: string,
    event: MarketplaceEvent
  ) => Effect.Effect<string, ValidationError | SqlError>
  /**
   * Validates and stores many ops in one transaction; yields each op's id, or `undefined` for an op whose
   * `key` was already stored (so re-enqueueing the same keys is harmless).
   */
  readonly enqueue: (
    ops: ReadonlyArray<Store.NewOp>
  ) => Effect.Effect<ReadonlyArray<string | undefined>, ValidationError | SqlError>
  /**
   * The INSERT that enqueueing `op` runs, validated and compiled for the store's dialect: run it on your
   * own driver connection inside your transaction and the op commits or rolls back with your writes.
   */
  readonly statement: (
    op: Store.NewOp
  ) => Effect.Effect<readonly [sql: string, params: ReadonlyArray<unknown>], ValidationError>
  /** Starts delivering in the background of this process (a no-op when already started). */
  readonly start: (options?: StartOptions) => Effect.Effect<void>
  /**
   * Stops claiming and waits up to `graceMs` (default: until done) for deliveries in flight; any still
   * running then are interrupted and their ops released for the next worker.
   */
  readonly stop: (graceMs?: number) => Effect.Effect<void>
  /** Delivers (starting delivery if needed) until nothing is pending or in flight in the store; yields the stats. */
  readonly drain: Effect.Effect<Store.OutboxStats, SqlError>
  /** Counts by state. */
  readonly stats: Effect.Effect<Store.OutboxStats, SqlError>
  /** Dead letters with their last error, oldest first. */
  readonly failed: (options?: {
    readonly afterId?: string
    readonly limit?: number
  }) => Effect.Effect<ReadonlyArray<Store.StoredOp>, SqlError>
  /** Puts every dead letter back to pending; yields how many. */
  readonly retryFailed: Effect.Effect<number, SqlError>
}

/** What delivers an op: the client's two calls. */
export type Sender = Pick<MarketplaceClientService, "updateInstallation" | "createEvent">

// Absent fields are `undefined` here and left out when the error is stored as JSON.
const storedError = (error: MarketplaceError): Store.StoredError => ({
  type: error._tag,
  message: error.message,
  status: error.status,
  code: error.code,
  attempts: error.attempts,
  requestId: error.requestId
})

const FOLLOWING_LIMIT = 100
// Writes per commit.
const MAX_BATCH = 500

/**
 * Builds the outbox on the `SqlClient` in context (migrating its schema) and a sender. `store.exclusive`
 * says no one else writes through that client (as with `openOutbox`): on SQLite the outbox then flushes
 * its commits off the event loop (see `WalFlush`).
 */
export const make = (
  sender: Sender,
  options: OutboxOptions = {},
  store: { readonly exclusive?: boolean } = {}
): Effect.Effect<OutboxService, SqlError, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.onDialectOrElse({
      // The client's default (NORMAL in WAL mode) can lose the last commits on power loss; an
      // acknowledged op must survive it.
      sqlite: () =>
        sql.unsafe(`PRAGMA synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`),
      orElse: () => Effect.void
    })
    yield* migrate()
    const wal =
      store.exclusive === true && options.synchronous !== "normal"
        ? yield* sql.onDialectOrElse({ sqlite: () => WalFlush.make, orElse: () => Effect.succeed(undefined) })
        : undefined
    // What has committed is acknowledged once it is durable.
    const durable = wal === undefined ? Effect.void : wal.flush
    const ordered = options.ordered ?? true
    const coalesce = ordered && (options.coalesce ?? true)
    const leaseMs = options.leaseMs ?? 120_000
    const maxDeliveries = options.maxDeliveries ?? 20
    const baseMs = options.backoffBaseMs ?? 1000
    const maxMs = options.backoffMaxMs ?? 300_000
    const pollMs = options.pollMs ?? 200
    const owner = crypto.randomUUID()
    const provide = Effect.provideService(SqlClient.SqlClient, sql)
    // A delivery's claimed slot: taken until its outcome has committed, released once (by whoever first does).
    interface Slot {
      readonly id: string
      released: boolean
    }
    // What the writer commits: an enqueue, a delivery's outcome, or a nudge to look for work.
    type Write =
      | {
          readonly kind: "insert"
          readonly op: Store.NewOp
          readonly done: (exit: Exit.Exit<string | undefined, SqlError>) => void
        }
      | {
          readonly kind: "outcome"
          /** The outcome's statements, or the id of an op delivered alone (those share one UPDATE). */
          readonly write: Effect.Effect<void, SqlError, SqlClient.SqlClient> | string
          readonly slot: Slot
          readonly done: (exit: Exit.Exit<void, SqlError>) => void
        }
      | { readonly kind: "poke" }
    const writes = yield* Effect.acquireRelease(Queue.unbounded<Write>(), Queue.shutdown)
    const nudge = () => Queue.unsafeOffer(writes, { kind: "poke" })
    const poke = Effect.sync(nudge)
    // A delivery finished: `drain` looks again.
    const settled = yield* Queue.sliding<void>(1)
    const deliveries = yield* FiberSet.make()
    // Set while this process delivers (between `start` and `stop`).
    let delivering:
      | { readonly concurrency: number; readonly onOutcome: StartOptions["onOutcome"] }
      | undefined
    // Slots taken: ops claimed whose outcome has not committed yet.
    let inFlight = 0
    // Ids of the ops this process is delivering.
    const active = new Set<string>()
    const release = (slot: Slot) => {
      if (slot.released) return false
      slot.released = true
      active.delete(slot.id)
      inFlight--
      return true
    }
    // Held by each writer turn, so `stop` can wait out a turn that is claiming.
    const turnLock = yield* Effect.makeSemaphore(1)

    const validated = (op: Store.NewOp): Either.Either<Store.NewOp, ValidationError> =>
      Either.map(planRequest({}, op.operation, op.installationId, op.input), () => op)

    // Hands a write to the writer and waits for its commit. An interrupted caller does not withdraw it.
    const submit = <A>(make: (done: (exit: Exit.Exit<A, SqlError>) => void) => Write) =>
      Effect.async<A, SqlError>((resume) => {
        Queue.unsafeOffer(writes, make(resume))
      })

    const enqueue = (ops: ReadonlyArray<Store.NewOp>) =>
      Effect.gen(function* () {
        const checked: Array<Store.NewOp> = []
        for (const op of ops) checked.push(op.rejected === undefined ? yield* validated(op) : op)
        // Inside a caller's transaction an enqueue must use that transaction's connection, so it goes
        // straight to the store (as a batch does); a single one joins the writer's next commit.
        const inTransaction = Option.isSome(yield* Effect.serviceOption(SqlClient.TransactionConnection))
        if (checked.length === 1 && !inTransaction)
          return [yield* submit<string | undefined>((done) => ({ kind: "insert", op: checked[0]!, done }))]
        const ids = yield* provide(Store.enqueue(checked, Date.now()))
        // A caller's transaction is made durable by the caller's commit.
        if (!inTransaction) yield* durable
        yield* poke
        return ids
      })

    const one = (operation: Operation, id: string, input: UpdateInstallationBody | MarketplaceEvent) =>
      Effect.map(enqueue([{ operation, installationId: id, input }]), (ids) => ids[0]!)

    const send = (op: Store.StoredOp, merged: ReadonlyArray<Store.StoredOp>) =>
      op.operation === "updateInstallation"
        ? sender.updateInstallation(
            op.installationId,
            mergeUpdates([op, ...merged].map((m) => m.input as UpdateInstallationBody))
          )
        : sender.createEvent(op.installationId, op.input as MarketplaceEvent)

    const backoff = (attempts: number, error: MarketplaceError) => {
      const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1))
      const jittered = exponential * (0.8 + Math.random() * 0.4)
      const asked =
        error._tag === "RateLimited" && error.retryAfter !== undefined
          ? Duration.toMillis(error.retryAfter)
          : 0
      return Math.max(jittered, asked)
    }

    const deliver = (op: Store.StoredOp, slot: Slot, onOutcome: StartOptions["onOutcome"]) =>
      Effect.gen(function* () {
        const complete = (write: Effect.Effect<void, SqlError, SqlClient.SqlClient> | string) =>
          submit<void>((done) => ({ kind: "outcome", write, slot, done }))
        const merged = coalesce ? yield* provide(Store.following(op, FOLLOWING_LIMIT)) : []
        const group = merged.slice(0, coalescible(op, merged))
        // Bounded by the client's timeout and retry budget, not by the lease, which `renew` keeps alive.
        const result = yield* Effect.either(send(op, group))
        const now = Date.now()
        let outcome: DeliveryOutcome
        if (Either.isRight(result)) {
          yield* complete(group.length === 0 ? op.id : Store.delivered(op, group, now))
          outcome = { kind: "delivered", op, merged: group }
        } else if (Retry.isRetryable(result.left) && op.attempts < maxDeliveries) {
          const error = storedError(result.left)
          yield* complete(Store.reschedule(op, owner, now + backoff(op.attempts, result.left), error))
          outcome = { kind: "retrying", op, error }
        } else {
          const error = storedError(result.left)
          yield* complete(Store.failed([op, ...group], error, now))
          outcome = { kind: "failed", op, merged: group, error }
        }
        onOutcome?.(outcome)
      }).pipe(
        // An interrupted delivery (stop) gives its op back at once rather than after the lease.
        Effect.onInterrupt(() =>
          Effect.ignore(provide(Store.reschedule(op, owner, Date.now(), op.lastError)))
        ),
        // A store outage leaves the op leased; it is delivered again once the lease runs out.
        Effect.catchAll((error) => Effect.logWarning(`outbox: op ${op.id}: ${error.message}`)),
        // The writer releases the slot in the commit of the outcome (and claims its successor there); if
        // that never happened (interrupted, store outage), the slot is freed here and the writer nudged.
        Effect.ensuring(
          Effect.sync(() => {
            if (release(slot)) nudge()
            Queue.unsafeOffer(settled, undefined)
          })
        )
      )

    // After the first write, one turn of the event loop before the batch is cut: a synchronous driver
    // (SQLite) blocks the thread for its whole commit, so writers whose I/O (a response, a request)
    // finished meanwhile could otherwise only ever join the next batch one by one.
    const nextTurn = Effect.async<void>((resume) => {
      const handle = setImmediate(() => resume(Effect.void))
      return Effect.sync(() => clearImmediate(handle))
    })

    /**
     * One commit for everything that arrived since the last: enqueues (one multi-row INSERT), outcomes,
     * and a claim for every slot free once those outcomes count, so a disk flush (SQLite `synchronous =
     * FULL`) or a round trip (PostgreSQL) is paid per batch, and an installation's next op is leased in
     * the same commit that settles the one before it. Nothing is acknowledged before its commit.
     */
    const commit = (batch: ReadonlyArray<Write>) =>
      Effect.gen(function* () {
        const inserts = batch.filter((w) => w.kind === "insert")
        const outcomes = batch.filter((w) => w.kind === "outcome")
        const run = delivering
        // The slots these outcomes hold are free once they commit (unless a stopped delivery freed its own).
        const freed = outcomes.filter((w) => !w.slot.released).length
        const free = run === undefined ? 0 : run.concurrency - inFlight + freed
        if (inserts.length === 0 && outcomes.length === 0 && free <= 0) return
        const now = Date.now()
        // Outcomes other than a plain delivery run their own statements first, so the claim sees them.
        const writes = outcomes.flatMap((w) => (typeof w.write === "string" ? [] : [w.write]))
        const work = Effect.zipRight(
          Effect.all(writes, { discard: true }),
          Store.turn({
            inserts: inserts.map((w) => w.op),
            delivered: outcomes.flatMap((w) => (typeof w.write === "string" ? [w.write] : [])),
            now,
            claim: { owner, limit: free, leaseMs, ordered }
          })
        )
        // A turn alone is atomic by itself (on SQLite it takes a transaction when it runs more than one statement).
        const exit = yield* Effect.exit(provide(writes.length === 0 ? work : sql.withTransaction(work)))
        if (exit._tag === "Failure") {
          for (const w of [...inserts, ...outcomes]) w.done(Exit.failCause(exit.cause))
          if (outcomes.length === 0 && inserts.length === 0)
            yield* Effect.logWarning(`outbox: claim failed: ${Cause.pretty(exit.cause)}`)
          return
        }
        const { ids, claimed } = exit.value
        const acknowledge = (error: SqlError | undefined) => {
          for (const [i, w] of inserts.entries()) w.done(error ? Exit.fail(error) : Exit.succeed(ids[i]))
          for (const w of outcomes) w.done(error ? Exit.fail(error) : Exit.void)
        }
        // The slots are free at the commit, and the claims it made start at once; what it stored is
        // acknowledged when it is on disk. (So a power loss, unlike a crash, can re-send the ops whose
        // outcome was not flushed yet too, besides those in flight.)
        for (const w of outcomes) release(w.slot)
        if (wal === undefined || inserts.length + outcomes.length === 0) acknowledge(undefined)
        else wal.after(acknowledge)
        for (const op of claimed) {
          // Its lease ran out while this process still delivers it (renewals failed: a store outage, an
          // event loop stalled past the lease): the delivery running already completes it; a second one
          // would send it twice.
          if (active.has(op.id)) continue
          active.add(op.id)
          // The slot stays taken until the outcome is committed, not only until the response: ops sent
          // but not yet recorded count as in flight, so a crash re-sends at most `concurrency` of them.
          inFlight++
          yield* FiberSet.run(
            deliveries,
            Effect.interruptible(deliver(op, { id: op.id, released: false }, run?.onOutcome))
          )
        }
      })

    // Waits for writes; while delivering, also looks every `pollMs` for work other processes stored.
    const nextBatch = Effect.gen(function* () {
      const first =
        delivering === undefined
          ? yield* Queue.take(writes)
          : Option.getOrElse(yield* Effect.timeout(Queue.take(writes), pollMs).pipe(Effect.option), () => ({
              kind: "poke" as const
            }))
      yield* nextTurn
      return [first, ...(yield* Queue.takeUpTo(writes, MAX_BATCH - 1))]
    })
    yield* Effect.forkScoped(
      Effect.interruptible(
        Effect.forever(Effect.flatMap(nextBatch, (batch) => turnLock.withPermits(1)(commit(batch))))
      )
    )

    // A live worker keeps its ops: every third of the lease, one UPDATE extends the leases of all the ops
    // it is delivering (until their outcome is committed), so only a dead worker's leases run out and a
    // slow delivery is never taken over and sent twice.
    const renew = Effect.suspend(() =>
      active.size === 0
        ? Effect.void
        : provide(Store.renewLeases([...active], owner, Date.now() + leaseMs)).pipe(
            Effect.catchAll((error) => Effect.logWarning(`outbox: lease renewal failed: ${error.message}`))
          )
    )
    yield* Effect.forkScoped(
      Effect.interruptible(Effect.forever(Effect.zipRight(Effect.sleep(Math.max(1, leaseMs / 3)), renew)))
    )

    const start = (startOptions: StartOptions = {}) =>
      Effect.suspend(() => {
        if (delivering !== undefined) return Effect.void
        delivering = {
          concurrency: Math.max(1, Math.floor(startOptions.concurrency ?? 8)),
          onOutcome: startOptions.onOutcome
        }
        return poke
      })

    const stop = (graceMs?: number) =>
      Effect.gen(function* () {
        // No turn claims after this one: the one running (if any) is waited out.
        delivering = undefined
        yield* turnLock.withPermits(1)(Effect.void)
        const settled = FiberSet.awaitEmpty(deliveries)
        if (graceMs === undefined) return yield* settled
        yield* Effect.ignore(Effect.timeout(settled, graceMs))
        yield* FiberSet.clear(deliveries)
      })

    const stats = provide(Effect.suspend(() => Store.stats(Date.now())))

    // Checks after each settled delivery (or every `pollMs`, for other processes' work) with a query that
    // stops at the first pending op, so draining a long table stays cheap.
    const drain = Effect.gen(function* () {
      yield* start()
      while (true) {
        if ((yield* FiberSet.size(deliveries)) === 0 && !(yield* provide(Store.hasPending)))
          return yield* stats
        yield* Effect.ignore(Effect.timeout(Queue.take(settled), pollMs))
      }
    })

    yield* Effect.addFinalizer(() => stop())

    return {
      updateInstallation: (id, body) => one("updateInstallation", id, body),
      createEvent: (id, event) => one("createEvent", id, event),
      enqueue,
      statement: (op) =>
        Effect.map(validated(op), (checked) => Store.insertStatement(sql, checked, Date.now()).compile()),
      start,
      stop,
      drain,
      stats,
      failed: (page = {}) => provide(Store.listFailed({ limit: page.limit ?? 1000, afterId: page.afterId })),
      retryFailed: Effect.tap(provide(Effect.suspend(() => Store.retryFailed(Date.now()))), () =>
        Effect.zipRight(durable, poke)
      )
    } satisfies OutboxService
  })

/** The outbox as a service: `yield* Outbox`, provided by `layer`. */
export class Outbox extends Context.Tag("@marketplace-kit/outbox/Outbox")<Outbox, OutboxService>() {}

/**
 * The outbox on the `SqlClient` (e.g. `SqliteClient.layer`, `PgClient.layer`) and `MarketplaceClient`
 * in context; share the `SqlClient` with your own code so enqueues can join your transactions.
 */
export const layer = (
  options: OutboxOptions = {}
): Layer.Layer<Outbox, SqlError, SqlClient.SqlClient | MarketplaceClient> =>
  Layer.scoped(
    Outbox,
    Effect.flatMap(MarketplaceClient, (client) => make(client, options))
  )
