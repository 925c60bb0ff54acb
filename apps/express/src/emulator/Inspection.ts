import express, { type RequestHandler } from "express"
import { bearerToken, invalidToken, missingBearer } from "../Bearer.js"
import { vercelErrorHandler } from "../ErrorResponse.js"
import { HttpError } from "../HttpError.js"
import { type IssuedToken, sameSecret } from "./Auth.js"
import type { ChaosOptions } from "./Chaos.js"
import type { RateLimitOptions } from "./RateLimiter.js"
import type { RequestLog } from "./RequestLog.js"
import type { EmulatorStateView, LogQuery } from "./State.js"

const DEFAULT_LIMIT = 1000
const MAX_LIMIT = 10_000

const integer = (name: string, raw: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
  if (raw === undefined) return fallback
  if (typeof raw !== "string" || !/^\d{1,15}$/.test(raw) || Number(raw) > max) {
    throw HttpError.of(400, `${name}: expected an integer between 0 and ${max}`)
  }
  return Number(raw)
}

const operation = (raw: unknown): LogQuery["operation"] => {
  if (raw === undefined || raw === "updateInstallation" || raw === "createEvent") return raw
  throw HttpError.of(400, 'operation: expected "updateInstallation" | "createEvent"')
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// Settings are checked by the RateLimiter and Chaos constructors; their RangeError names the field.
const settings = <T>(body: unknown, apply: (value: T) => void): void => {
  if (!isRecord(body)) throw HttpError.of(400, "body: expected a JSON object")
  try {
    apply(body as T)
  } catch (error) {
    if (error instanceof RangeError) throw HttpError.of(400, error.message)
    throw error
  }
}

/** What the inspection API reads and controls; {@link Emulator} provides all of it. */
export interface Inspectable {
  readonly state: EmulatorStateView
  readonly adminToken: string
  readonly requests: Pick<RequestLog, "list" | "last">
  reset(): Promise<void>
  issueToken(id: string, options?: { readonly graceSeconds?: number }): IssuedToken | undefined
  readonly rateLimit: RateLimitOptions | undefined
  setRateLimit(options: RateLimitOptions | undefined): void
  readonly chaos: ChaosOptions | undefined
  setChaos(options: ChaosOptions | undefined): void
}

/**
 * The admin API under `/_emulator`, for tests, tools and the dashboard: installations, the write
 * log, the request log (with every rejected request's issues), token rotation, runtime rate-limit
 * and chaos settings, live changes as Server-Sent Events, reset. Every call needs `Authorization: Bearer <adminToken>`.
 */
export const inspectionRouter = (
  emulator: Inspectable,
  /** `GET /stream`: the dashboard's Server-Sent Events. */
  stream: RequestHandler
): express.Router => {
  const guard: RequestHandler = (req, _res, next) => {
    const token = bearerToken(req)
    if (token === undefined) return next(missingBearer())
    next(sameSecret(token, emulator.adminToken) ? undefined : invalidToken())
  }
  const router = express.Router()
  router.use(guard)
  router.use(express.json({ limit: "16kb" }))
  router.get("/installations", (_req, res) => {
    res.json({ installations: emulator.state.installations() })
  })
  router.get("/installations/:id", (req, res) => {
    const installation = emulator.state.installation(req.params.id)
    if (installation === undefined)
      throw HttpError.of(404, `Installation ${JSON.stringify(req.params.id)} not found`)
    res.json(installation)
  })
  router.post("/installations/:id/token", (req, res) => {
    const body: unknown = req.body ?? {}
    const grace = isRecord(body) ? body.graceSeconds : undefined
    if (!isRecord(body) || (grace !== undefined && (typeof grace !== "number" || !(grace >= 0))))
      throw HttpError.of(400, "graceSeconds: expected a number of seconds ≥ 0")
    const issued = emulator.issueToken(req.params.id, { graceSeconds: grace as number | undefined })
    if (issued === undefined)
      throw HttpError.of(404, `Installation ${JSON.stringify(req.params.id)} not found`)
    res.status(201).json(issued)
  })
  router.get("/events", (req, res) => {
    const query: LogQuery = {
      since: integer("since", req.query.since, 0),
      limit: integer("limit", req.query.limit, DEFAULT_LIMIT, MAX_LIMIT),
      operation: operation(req.query.operation),
      ...(typeof req.query.installationId === "string" ? { installationId: req.query.installationId } : {})
    }
    res.json({ events: emulator.state.events(query), sequence: emulator.state.sequence })
  })
  router.get("/requests", (req, res) => {
    const requests = emulator.requests.list({
      since: integer("since", req.query.since, 0),
      limit: integer("limit", req.query.limit, DEFAULT_LIMIT, MAX_LIMIT)
    })
    res.json({ requests, last: emulator.requests.last })
  })
  router
    .route("/rate-limit")
    .get((_req, res) => {
      res.json({ rateLimit: emulator.rateLimit ?? null })
    })
    .put((req, res) => {
      settings<RateLimitOptions>(req.body, (options) => emulator.setRateLimit(options))
      res.json({ rateLimit: emulator.rateLimit ?? null })
    })
    .delete((_req, res) => {
      emulator.setRateLimit(undefined)
      res.status(204).end()
    })
  router
    .route("/chaos")
    .get((_req, res) => {
      res.json({ chaos: emulator.chaos ?? null })
    })
    .put((req, res) => {
      settings<ChaosOptions>(req.body, (options) => emulator.setChaos(options))
      res.json({ chaos: emulator.chaos ?? null })
    })
    .delete((_req, res) => {
      emulator.setChaos(undefined)
      res.status(204).end()
    })
  router.get("/stream", stream)
  router.post("/reset", async (_req, res) => {
    await emulator.reset()
    res.status(204).end()
  })
  router.use((req, _res, next) =>
    next(HttpError.of(404, `No route for ${req.method} /_emulator${req.path.slice(0, 200)}`))
  )
  router.use(vercelErrorHandler)
  return router
}
