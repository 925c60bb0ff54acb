import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Redacted from "effect/Redacted"

/** Why no token could be had for an installation; the call turns it into a `TokenError`. @internal */
export interface TokenFailure {
  readonly reason: string
  readonly cause?: unknown
}

interface Entry<C> {
  readonly deferred: Deferred.Deferred<C, TokenFailure>
  value?: C
}

/**
 * Per-installation tokens from a token source, looked up once and kept for the client's lifetime.
 * Concurrent first calls for one installation share one lookup; a failed lookup is not kept, so the
 * next call asks again. `prepare` turns a token into what requests need (headers, scrubber) or
 * refuses it.
 * @internal
 */
export const make = <C>(
  source: (installationId: string) => Effect.Effect<Redacted.Redacted<string>, unknown>,
  prepare: (token: string) => C | string
) => {
  const cache = new Map<string, Entry<C>>()

  const lookup = (id: string, entry: Entry<C>) =>
    Effect.suspend(() => source(id)).pipe(
      Effect.catchAllCause((cause) =>
        Effect.fail<TokenFailure>({ reason: "the token source failed", cause: Cause.squash(cause) })
      ),
      Effect.flatMap((token) => {
        const prepared = Redacted.isRedacted(token)
          ? prepare(Redacted.value(token))
          : "the token source did not return a Redacted token"
        return typeof prepared === "string"
          ? Effect.fail<TokenFailure>({ reason: `the token source returned a token that ${prepared}` })
          : Effect.succeed(prepared)
      }),
      Effect.tap((value) =>
        Effect.sync(() => {
          entry.value = value
        })
      ),
      Effect.tapError(() =>
        Effect.sync(() => {
          if (cache.get(id) === entry) cache.delete(id)
        })
      ),
      Effect.intoDeferred(entry.deferred)
    )

  return {
    /** The installation's token, looked up on first use. */
    get: (id: string): Effect.Effect<C, TokenFailure> =>
      Effect.suspend(() => {
        const hit = cache.get(id)
        if (hit !== undefined) {
          return hit.value === undefined ? Deferred.await(hit.deferred) : Effect.succeed(hit.value)
        }
        // Set before anything yields, so a concurrent call finds it; the lookup runs as a daemon so
        // that the first caller being interrupted does not leave the others waiting forever.
        const entry: Entry<C> = { deferred: Deferred.unsafeMake(FiberId.none) }
        cache.set(id, entry)
        return Effect.andThen(Effect.forkDaemon(lookup(id, entry)), Deferred.await(entry.deferred))
      }),
    /** Forgets `value` (a token the server refused) so the next `get` asks the source again. */
    invalidate: (id: string, value: C): void => {
      if (cache.get(id)?.value === value) cache.delete(id)
    }
  }
}
