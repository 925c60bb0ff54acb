import { fetchClient, type PromiseClientOptions } from "@marketplace-kit/client"
import type { MarketplaceEvent, UpdateInstallationBody } from "@marketplace-kit/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import { make, Outbox, type OutboxOptions, type StartOptions } from "./Outbox.js"
import type { NewOp, OutboxStats, StoredOp } from "./Store.js"
import * as StoreLayer from "./StoreLayer.js"

/** Options of `openOutbox`: where to store, plus the client's own options (token, baseUrl, timeoutMs, retry…). */
export interface PromiseOutboxOptions extends PromiseClientOptions, OutboxOptions {
  /** `sqlite:<path>` (created if missing, WAL mode) or `postgres://user:pass@host:5432/db`. */
  readonly store: string
}

/**
 * A driver connection inside your open transaction. `pg`'s `Client` and `PoolClient` fit as they are;
 * wrap any other driver in an object with this one method.
 */
export interface TransactionHandle {
  query(
    text: string,
    values: Array<unknown>
  ): Promise<{ readonly rows: ReadonlyArray<Record<string, unknown>> }>
}

/** Per-enqueue options. */
export interface EnqueueOptions {
  /**
   * Store the op through your own transaction (PostgreSQL): it then commits or rolls back with your
   * business writes, and is acknowledged by your `COMMIT`, not by this call.
   */
  readonly transaction?: TransactionHandle
}

/** The outbox for code that does not use Effect. Rejections are `ValidationError` (and the other client classes) or the store's `SqlError`. */
export interface PromiseOutbox {
  /** Validates and stores a `PATCH /v1/installations/{id}`; resolves with the op id once committed. */
  readonly updateInstallation: (
    id: string,
    body: UpdateInstallationBody,
    options?: EnqueueOptions
  ) => Promise<string>
  /** Validates and stores a `POST /v1/installations/{id}/events`; resolves with the op id once committed. */
  readonly createEvent: (id: string, event: MarketplaceEvent, options?: EnqueueOptions) => Promise<string>
  /** Starts background delivery in this process (a no-op when already started). */
  readonly start: (options?: StartOptions) => void
  /** Stops claiming; waits up to `graceMs` (default: until done) for deliveries in flight. */
  readonly stop: (graceMs?: number) => Promise<void>
  /** Resolves when nothing is pending or in flight in the store (starting delivery if needed). */
  readonly drain: () => Promise<OutboxStats>
  /** `{ pending, inFlight, delivered, failed, coalesced }`. */
  readonly stats: () => Promise<OutboxStats>
  /** Dead letters with their last error (`type`, `status`, `code`, `message`), oldest first. */
  readonly failed: (options?: {
    readonly afterId?: string
    readonly limit?: number
  }) => Promise<ReadonlyArray<StoredOp>>
  /** Puts every dead letter back to pending; resolves with how many. */
  readonly retryFailed: () => Promise<number>
  /** Stops delivery (waiting for deliveries in flight) and closes the store. */
  readonly close: () => Promise<void>
}

/** Opens (creating and migrating if needed) an outbox store and the client that delivers from it. */
export const openOutbox = async (options: PromiseOutboxOptions): Promise<PromiseOutbox> => {
  const runtime = ManagedRuntime.make(
    Layer.scoped(Outbox, make(fetchClient(options), options, { exclusive: true })).pipe(
      Layer.provide(StoreLayer.layer(options.store))
    )
  )
  const run = <A, E>(effect: Effect.Effect<A, E, Outbox>): Promise<A> =>
    runtime.runPromiseExit(effect).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      const failure = Cause.failureOption(exit.cause)
      throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
    })
  await run(Outbox)
  const enqueue = (op: NewOp, enqueueOptions: EnqueueOptions | undefined): Promise<string> => {
    const transaction = enqueueOptions?.transaction
    if (transaction === undefined)
      return run(Effect.flatMap(Outbox, (outbox) => Effect.map(outbox.enqueue([op]), (ids) => ids[0]!)))
    return run(Effect.flatMap(Outbox, (outbox) => outbox.statement(op))).then(async ([text, params]) => {
      const result = await transaction.query(text, [...params])
      return String(result.rows[0]?.id)
    })
  }
  return {
    updateInstallation: (installationId, input, call) =>
      enqueue({ operation: "updateInstallation", installationId, input }, call),
    createEvent: (installationId, input, call) =>
      enqueue({ operation: "createEvent", installationId, input }, call),
    start: (startOptions) => {
      runtime.runFork(Effect.flatMap(Outbox, (outbox) => outbox.start(startOptions)))
    },
    stop: (graceMs) => run(Effect.flatMap(Outbox, (outbox) => outbox.stop(graceMs))),
    drain: () => run(Effect.flatMap(Outbox, (outbox) => outbox.drain)),
    stats: () => run(Effect.flatMap(Outbox, (outbox) => outbox.stats)),
    failed: (page) => run(Effect.flatMap(Outbox, (outbox) => outbox.failed(page))),
    retryFailed: () => run(Effect.flatMap(Outbox, (outbox) => outbox.retryFailed)),
    close: () => runtime.dispose()
  }
}
