import { randomBytes } from "node:crypto"
import express from "express"
import type { MarketplaceBackend, RequestContext } from "../Backend.js"
import { isSendableToken } from "../Bearer.js"
import { InstallationAuth, type IssuedToken } from "../emulator/Auth.js"
import { ChangeFeed, type EmulatorChange } from "../emulator/Changes.js"
import { Chaos, type ChaosOptions } from "../emulator/Chaos.js"
import { dashboardRouter } from "../emulator/Dashboard.js"
import { inspectionRouter } from "../emulator/Inspection.js"
import { Journal, type PendingEntry } from "../emulator/Journal.js"
import * as Middleware from "../emulator/Middleware.js"
import { RateLimiter, type RateLimitOptions } from "../emulator/RateLimiter.js"
import { RequestLog } from "../emulator/RequestLog.js"
import { checkInstallations, DEMO_SEED, type InstallationSeed, loadSeedFile } from "../emulator/Seed.js"
import { EmulatorState, type EmulatorStateView, type LogEntry } from "../emulator/State.js"
import { eventStream } from "../emulator/Stream.js"
import { HttpError } from "../HttpError.js"
import { marketplaceRouter } from "../router.js"

/** Options of {@link createEmulator}. With neither `installations` nor `seedFile`, {@link DEMO_SEED} is used. */
export interface EmulatorOptions {
  /** Installations and their tokens (each with an optional `expiresAt`). */
  readonly installations?: ReadonlyArray<InstallationSeed>
  /** A JSON seed file `{ "installations": [ { "id", "token", "expiresAt"? } ] }` (merged with `installations`). */
  readonly seedFile?: string
  /** Append-only data file; every acknowledged write is fsynced to it and replayed on start. Default: memory only. */
  readonly dataFile?: string
  /** Bearer token of the `/_emulator` inspection API (default: random, see `Emulator.adminToken`). */
  readonly adminToken?: string
  /** Token-bucket rate limit per bearer token and endpoint; off by default (settable at run time). */
  readonly rateLimit?: RateLimitOptions
  /** Seeded fault injection on the marketplace routes; off by default (settable at run time). */
  readonly chaos?: ChaosOptions
  /** Largest accepted JSON body (default `"100kb"`). */
  readonly bodyLimit?: number | string
  /** Lifetime of every seeded token without its own `expiresAt` and of every issued token (default: forever). */
  readonly tokenTtlMs?: number
  /** Adds per-field `issues` to 400 bodies, which Vercel does not send; for local debugging only. */
  readonly explain?: boolean
  /** Log entries kept in memory for inspection (default 100 000; the data file keeps all). */
  readonly logLimit?: number
  /** Requests kept in the request log (default 10 000). */
  readonly requestLogLimit?: number
}

/** A local stand-in for Vercel's installation API. */
export interface Emulator {
  /** The backend: Vercel's auth rules, PATCH semantics, the write log. Use it with `marketplaceRouter`. */
  readonly backend: MarketplaceBackend
  /** Read-only view of installations and the write log. */
  readonly state: EmulatorStateView
  /** The installations (and tokens) in use. */
  readonly installations: ReadonlyArray<InstallationSeed>
  /** Whether the built-in {@link DEMO_SEED} is in use. */
  readonly usesDemoSeed: boolean
  /**
   * The data file, when there is one: its path, how many entries were replayed on start, and what a
   * torn last entry that was cut off measured (`cut`, absent when nothing was cut).
   */
  readonly dataFile?: {
    readonly path: string
    readonly replayed: number
    readonly cut?: { readonly bytes: number; readonly reason: string }
  }
  /** Bearer token of the `/_emulator` inspection API. */
  readonly adminToken: string
  /** Every request answered on `/v1` (tokens never recorded), with live listeners. */
  readonly requests: Pick<RequestLog, "list" | "last" | "subscribe">
  /**
   * Issues a new token for an installation (`undefined` if unknown); its other tokens stop working at
   * once or after `graceSeconds`. Issued tokens live in memory: a restart or reset returns to the seed's.
   */
  issueToken(id: string, options?: { readonly graceSeconds?: number }): IssuedToken | undefined
  /** The rate limit in effect, or `undefined` when off. */
  readonly rateLimit: RateLimitOptions | undefined
  /** Changes (or, with `undefined`, turns off) the rate limit; every bucket starts full. Throws RangeError on bad options. */
  setRateLimit(options: RateLimitOptions | undefined): void
  /** The chaos settings in effect, or `undefined` when off. */
  readonly chaos: ChaosOptions | undefined
  /** Changes (or turns off) chaos; the PRNG restarts from the seed. Throws RangeError on bad options. */
  setChaos(options: ChaosOptions | undefined): void
  /** Router with everything: `/_emulator`, rate limit and chaos (if set), and the marketplace routes. */
  router(): express.Router
  /** A ready Express app serving {@link Emulator.router}. */
  app(): express.Express
  /** Clears installations and tokens to their seed, empties both logs (and the data file), restarts chaos and rate limits. */
  reset(): Promise<void>
  /** Waits for pending writes and closes the data file. */
  close(): Promise<void>
}

const seedInstallations = (options: EmulatorOptions): ReadonlyArray<InstallationSeed> => {
  const fromFile = options.seedFile === undefined ? [] : loadSeedFile(options.seedFile).installations
  return checkInstallations([...fromFile, ...(options.installations ?? [])], "emulator options")
}

/** Creates an emulator: in memory, or backed by `dataFile` (whose writes are replayed now). */
export const createEmulator = (options: EmulatorOptions = {}): Emulator => {
  const usesDemoSeed = options.installations === undefined && options.seedFile === undefined
  const installations = usesDemoSeed ? DEMO_SEED.installations : seedInstallations(options)
  const adminToken = options.adminToken ?? `mkit_admin_${randomBytes(16).toString("hex")}`
  if (!isSendableToken(adminToken)) throw new Error("adminToken must be non-empty visible ASCII")

  const auth = new InstallationAuth(installations, { tokenTtlMs: options.tokenTtlMs })
  const requests = new RequestLog(options.requestLogLimit)
  const state = new EmulatorState(
    installations.map((installation) => installation.id),
    options.logLimit
  )
  const opened = options.dataFile === undefined ? undefined : Journal.open(options.dataFile)
  for (const entry of opened?.entries ?? []) state.apply(entry)
  const journal = opened?.journal

  const changes = new ChangeFeed<EmulatorChange>()
  // Without a data file the sequence is counted here; with one, the file numbers what it stores.
  let sequence = state.sequence
  // Bumped by reset(): writes still in flight from before it are not applied afterwards.
  let epoch = 0
  const store = async (write: PendingEntry): Promise<LogEntry> => {
    if (journal === undefined) return { ...write, sequence: ++sequence } as LogEntry
    try {
      return await journal.append(write)
    } catch (error) {
      // Nothing was stored (the file is cut back to its last complete entry): the caller may retry.
      const reason = (error as NodeJS.ErrnoException).code ?? "closed"
      throw HttpError.of(
        503,
        `The emulator could not store the write in its data file (${reason}); retry later`,
        {
          headers: { "Retry-After": "1" }
        }
      )
    }
  }
  const commit = async (write: PendingEntry): Promise<void> => {
    const started = epoch
    const stored = await store(write)
    if (epoch !== started) return
    state.apply(stored)
    changes.publish({ type: "write", entry: stored })
  }
  const entry = (ctx: RequestContext, installationId: string) => ({
    at: new Date().toISOString(),
    requestId: ctx.requestId,
    installationId
  })
  const authorize = (ctx: RequestContext, id: string): void => {
    const denied = auth.check(id, ctx.token)
    if (denied) throw denied
  }

  // The write methods re-check auth, so the backend is safe even behind a router that skips authorize.
  const backend: MarketplaceBackend = {
    authorize: async (ctx, id) => authorize(ctx, id),
    updateInstallation: async (ctx, id, body) => {
      authorize(ctx, id)
      await commit({ ...entry(ctx, id), operation: "updateInstallation", body })
    },
    createEvent: async (ctx, id, event) => {
      authorize(ctx, id)
      await commit({ ...entry(ctx, id), operation: "createEvent", event })
    }
  }

  let limiter = options.rateLimit === undefined ? undefined : new RateLimiter(options.rateLimit)
  let chaos = options.chaos === undefined ? undefined : new Chaos(options.chaos)
  const setRateLimit = (next: RateLimitOptions | undefined) => {
    limiter = next === undefined ? undefined : new RateLimiter(next)
    changes.publish({ type: "settings" })
  }
  const setChaos = (next: ChaosOptions | undefined) => {
    chaos = next === undefined ? undefined : new Chaos(next)
    changes.publish({ type: "settings" })
  }

  const reset = async (): Promise<void> => {
    epoch++
    sequence = 0
    state.reset()
    auth.reset()
    requests.clear()
    // Fresh buckets and a restarted PRNG, same settings (the snapshot below tells the dashboards).
    limiter = limiter && new RateLimiter(limiter.options)
    chaos = chaos && new Chaos(chaos.options)
    await journal?.truncate()
    changes.publish({ type: "reset" })
  }
  const issueToken = (id: string, { graceSeconds = 0 }: { readonly graceSeconds?: number } = {}) =>
    auth.issue(id, graceSeconds * 1000)

  let router: express.Router | undefined
  let app: express.Express | undefined
  const fullRouter = (): express.Router => {
    if (router === undefined) {
      router = express.Router()
      router.use("/_emulator/ui", dashboardRouter())
      router.use("/_emulator", inspectionRouter(emulator, eventStream(emulator, changes)))
      router.use(Middleware.requestId)
      router.use(
        "/v1",
        Middleware.recordRequests(() => requests),
        Middleware.rateLimit(() => limiter),
        Middleware.chaos(() => chaos)
      )
      router.use(
        marketplaceRouter({
          backend,
          bodyLimit: options.bodyLimit,
          explain: options.explain
        })
      )
    }
    return router
  }

  const emulator: Emulator = {
    backend,
    state,
    installations,
    usesDemoSeed,
    ...(options.dataFile === undefined || opened === undefined
      ? {}
      : {
          dataFile: {
            path: options.dataFile,
            replayed: opened.entries.length,
            cut: opened.cut
          }
        }),
    adminToken,
    requests,
    issueToken,
    get rateLimit() {
      return limiter?.options
    },
    setRateLimit,
    get chaos() {
      return chaos?.options
    },
    setChaos,
    router: fullRouter,
    app: () => {
      if (app === undefined) {
        app = express()
        app.disable("x-powered-by")
        app.use(fullRouter())
      }
      return app
    },
    reset,
    close: async () => {
      changes.publish({ type: "closed" })
      await journal?.close()
    }
  }
  return emulator
}
