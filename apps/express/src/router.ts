import { randomUUID } from "node:crypto"
import {
  type Operation,
  type OperationInput,
  type Route,
  routes,
  type ValidationResult,
  validate
} from "@marketplace-kit/core"
import express, { type Request, type RequestHandler, type Response } from "express"
import { type BackendResult, type MarketplaceBackend, type RequestContext, runBackend } from "./Backend.js"
import { bearerToken } from "./Bearer.js"
import { errorHandler } from "./ErrorResponse.js"
import { HttpError } from "./HttpError.js"
import { nestsDeeperThan } from "./JsonDepth.js"

/** Options of {@link marketplaceRouter}. */
export interface MarketplaceRouterOptions {
  /** The logic behind the routes: the emulator, the forwarder, or your own. */
  readonly backend: MarketplaceBackend
  /** Largest accepted JSON body, in bytes or as a string such as `"1mb"`; default `"100kb"`. */
  readonly bodyLimit?: number | string
  /** Adds per-field `issues` to 400 bodies (Vercel sends only `code` and `message`); for local debugging. */
  readonly explain?: boolean
}

/** A backend method serving one operation. */
type Handler<Op extends Operation> = (
  ctx: RequestContext,
  id: string,
  input: OperationInput[Op]
) => BackendResult

const METHODS = { PATCH: "patch", POST: "post" } as const

const JSON_TYPES = ["application/json", "application/*+json"]
// Real bodies nest 4 levels; the cap keeps a hostile body from overflowing the stack of whatever
// serializes it later (the data file, the forwarder, the inspection API).
const MAX_DEPTH = 32

const requestContext = (
  req: Request,
  res: Response,
  operation: RequestContext["operation"]
): RequestContext => {
  const controller = new AbortController()
  res.once("close", () => {
    if (!res.writableFinished) controller.abort()
  })
  const requestId: unknown = res.locals.requestId
  const ctx = {
    requestId: typeof requestId === "string" ? requestId : randomUUID(),
    operation,
    signal: controller.signal
  }
  return Object.defineProperty(ctx, "token", { value: bearerToken(req), enumerable: false }) as RequestContext
}

const valid = <T>(result: ValidationResult<T>): T => {
  if (result.success) return result.data
  throw HttpError.of(400, result.message, { issues: result.issues })
}

/**
 * Express Router serving core's route contract (`PATCH /v1/installations/:id`, `POST …/events`) in
 * front of a backend. Mount it at any prefix; every error it answers is Vercel-shaped JSON. A backend
 * bug is answered with a generic 500 and then passed to `next(err)` for the host app's error handlers.
 */
export const marketplaceRouter = (options: MarketplaceRouterOptions): express.Router => {
  const { backend } = options
  const parseJson = express.json({ limit: options.bodyLimit ?? "100kb", type: JSON_TYPES })

  // An absent or empty body reads as `{}`; a body of another type is refused before it is read.
  const readBody = (req: Request, res: Response) =>
    new Promise<unknown>((resolve, reject) => {
      const { "content-length": length, "transfer-encoding": encoding } = req.headers
      if (length === "0" || (length === undefined && encoding === undefined)) resolve(req.body ?? {})
      else if (req.is(JSON_TYPES) === false) {
        const received = req.get("content-type") ?? "none"
        reject(HttpError.of(415, `Content-Type must be application/json, received ${received}`))
      } else parseJson(req, res, (err?: unknown) => (err ? reject(err) : resolve(req.body ?? {})))
    })

  // The backend's methods keyed by operation, so one generic handler serves every route.
  const handlers: { readonly [Op in Operation]: Handler<Op> } = backend

  const serve =
    <Op extends Operation>(route: Route<Op>): RequestHandler =>
    async (req, res, next) => {
      const ctx = requestContext(req, res, route.operation)
      try {
        const { integrationConfigurationId: id } = valid(validate(route.params, req.params))
        if (backend.authorize) await runBackend(backend.authorize(ctx, id), ctx.signal, "authorize")
        const input = await readBody(req, res)
        if (nestsDeeperThan(input, MAX_DEPTH))
          throw HttpError.of(400, `JSON body nests deeper than ${MAX_DEPTH} levels`)
        const body = valid(validate(route.body, input))
        const answer = await runBackend(
          handlers[route.operation](ctx, id, route.fromBody(body)),
          ctx.signal,
          route.operation
        )
        if (answer === undefined) res.status(route.successStatus).end()
        else res.status(answer.status).json(answer.body)
      } catch (err) {
        // A caller that hung up gets no answer, and its interruption is not a bug.
        if (!ctx.signal.aborted) next(err)
      }
    }

  const methodNotAllowed =
    (route: Route): RequestHandler =>
    (req, _res, next) =>
      next(
        HttpError.of(405, `Method ${req.method} is not allowed here; use ${route.method}`, {
          headers: { Allow: route.method }
        })
      )

  const router = express.Router()
  for (const route of Object.values(routes)) {
    router.route(route.path)[METHODS[route.method]](serve(route)).all(methodNotAllowed(route))
  }
  router.use((req, _res, next) =>
    next(HttpError.of(404, `No route for ${req.method} ${req.path.slice(0, 200)}`))
  )
  router.use(errorHandler({ explain: options.explain ?? false }))
  return router
}
