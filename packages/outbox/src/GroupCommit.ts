import type { SqlError } from "@effect/sql/SqlError"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"

/** Writes submitted one at a time but committed together. */
export interface GroupCommit<A, B> {
  /** Resolves once the write is committed (with what `write` yielded for it). */
  readonly submit: (item: A) => Effect.Effect<B, SqlError>
}

const nextTurn = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * Group commit: whatever writes arrive while a commit is running go into the next one, so a disk
 * flush (SQLite `synchronous = FULL`) or a round trip (PostgreSQL) is paid per batch, not per write,
 * and no write is acknowledged before its batch has committed.
 */
export const make = <A, B>(
  write: (items: ReadonlyArray<A>) => Effect.Effect<ReadonlyArray<B>, SqlError>,
  maxBatch = 500
): Effect.Effect<GroupCommit<A, B>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const queue = yield* Effect.acquireRelease(
      Queue.unbounded<readonly [A, Deferred.Deferred<B, SqlError>]>(),
      Queue.shutdown
    )
    // After the first write, one turn of the event loop before the batch is cut: a synchronous driver
    // (SQLite) blocks the thread for its whole commit, so writers whose I/O (a response, a request)
    // finished meanwhile could otherwise only ever join the next batch one by one.
    const takeBatch = Effect.flatMap(Queue.take(queue), (first) =>
      Effect.zipRight(
        nextTurn,
        Effect.map(Queue.takeUpTo(queue, maxBatch - 1), (rest) => [first, ...rest])
      )
    )
    yield* Effect.forkScoped(
      Effect.interruptible(
        Effect.forever(
          Effect.flatMap(takeBatch, (batch) => {
            return Effect.flatMap(Effect.exit(write(batch.map(([item]) => item))), (exit) =>
              Effect.forEach(
                batch,
                ([, deferred], index) =>
                  Deferred.done(
                    deferred,
                    Exit.map(exit, (results) => results[index]!)
                  ),
                { discard: true }
              )
            )
          })
        )
      )
    )
    return {
      submit: (item) =>
        Effect.flatMap(Deferred.make<B, SqlError>(), (deferred) =>
          Effect.zipRight(Queue.offer(queue, [item, deferred]), Deferred.await(deferred))
        )
    }
  })
