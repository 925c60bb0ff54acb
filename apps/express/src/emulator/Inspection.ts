import express, { type RequestHandler } from "express"
import { bearerToken } from "../Bearer.js"
import { vercelErrorHandler } from "../ErrorResponse.js"
import { HttpError } from "../HttpError.js"
import { sameSecret } from "./Auth.js"
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

/**
 * The admin API under `/_emulator`, for tests and tools: list and get installations, list log
 * entries since a sequence, follow changes as Server-Sent Events, reset. Every call needs `Authorization: Bearer <adminToken>`.
 */
export const inspectionRouter = (emulator: {
  readonly state: EmulatorStateView
  readonly adminToken: string
  reset(): Promise<void>
  /** `GET /stream`: the dashboard's Server-Sent Events. */
  readonly stream: RequestHandler
}): express.Router => {
  const guard: RequestHandler = (req, _res, next) => {
    const token = bearerToken(req)
    if (token === undefined)
      return next(HttpError.of(401, "The inspection API needs Authorization: Bearer <adminToken>"))
    next(sameSecret(token, emulator.adminToken) ? undefined : HttpError.of(403, "Not authorized"))
  }
  const router = express.Router()
  router.use(guard)
  router.get("/installations", (_req, res) => {
    res.json({ installations: emulator.state.installations() })
  })
  router.get("/installations/:id", (req, res) => {
    const installation = emulator.state.installation(req.params.id)
    if (installation === undefined)
      throw HttpError.of(404, `Installation ${JSON.stringify(req.params.id)} not found`)
    res.json(installation)
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
  router.get("/stream", emulator.stream)
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
