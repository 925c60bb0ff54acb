import { randomUUID } from "node:crypto"
import type { RequestHandler, Response } from "express"
import { bearerToken } from "../Bearer.js"
import { answeredError, sendError } from "../ErrorResponse.js"
import { HttpError } from "../HttpError.js"
import type { Chaos, ChaosFault } from "./Chaos.js"
import type { RateLimiter } from "./RateLimiter.js"
import { type RequestLog, routeOf } from "./RequestLog.js"

/** Gives each request an id, returned as `x-vercel-id` like Vercel does and passed to the router. */
export const requestId: RequestHandler = (_req, res, next) => {
  const id = `emu1::${randomUUID()}`
  res.locals.requestId = id
  res.set("x-vercel-id", id)
  next()
}

// The fault chaos gave a response, for the request log.
const faults = new WeakMap<Response, ChaosFault["kind"]>()

// These run mounted at `/v1`, so `req.path` is the path below it.
const contractPath = (path: string) => `/v1${path}`

/**
 * Records every request in the request log once it is answered (or dropped): route, status, the
 * error answered and, for a rejected body, its per-field issues. Tokens are never recorded.
 */
export const recordRequests =
  (log: () => RequestLog): RequestHandler =>
  (req, res, next) => {
    const started = performance.now()
    const at = new Date().toISOString()
    const path = req.originalUrl.split("?")[0]!.slice(0, 200)
    const route = routeOf(contractPath(req.path))
    res.once("close", () => {
      const error = answeredError(res)
      const fault = faults.get(res)
      log().add({
        requestId: String(res.locals.requestId ?? ""),
        at,
        method: req.method,
        path,
        ...route,
        status: res.headersSent ? res.statusCode : null,
        durationMs: Math.round(performance.now() - started),
        ...(error === undefined
          ? {}
          : { error: { code: error.body.error.code, message: error.body.error.message } }),
        issues: error?.issues,
        ...(fault === undefined || fault === "none" ? {} : { chaos: fault })
      })
    })
    next()
  }

/**
 * Vercel's rate-limit headers on every answer, and its 429 body when the caller's bucket for this
 * endpoint is empty (Vercel limits each endpoint separately). Off while `limiter()` is `undefined`.
 */
export const rateLimit =
  (limiter: () => RateLimiter | undefined): RequestHandler =>
  (req, res, next) => {
    const current = limiter()
    if (current === undefined) return next()
    const token = bearerToken(req)
    const caller = token === undefined ? `address:${req.socket.remoteAddress}` : `token:${token}`
    const decision = current.take(`${routeOf(contractPath(req.path))?.operation ?? "other"} ${caller}`)
    const reset = Math.ceil(decision.resetMs / 1000)
    res.set({
      "X-RateLimit-Limit": String(decision.limit),
      "X-RateLimit-Remaining": String(decision.remaining),
      "X-RateLimit-Reset": String(reset)
    })
    if (decision.allowed) return next()
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000))
    sendError(
      req,
      res,
      HttpError.of(429, "Rate limit exceeded", {
        extra: {
          limit: { remaining: decision.remaining, reset, resetMs: decision.resetMs, total: decision.limit }
        },
        headers: current.retryAfter ? { "Retry-After": String(retryAfter) } : {}
      })
    )
  }

/**
 * Applies the next chaos fault before the request reaches the router, so a fault never
 * half-applies a write: a 5xx, drop or stall means the write did not happen.
 */
export const chaos =
  (current: () => Chaos | undefined): RequestHandler =>
  (req, res, next) => {
    const source = current()
    if (source === undefined) return next()
    const fault = source.next()
    faults.set(res, fault.kind)
    const after = (ms: number, run: () => void) => {
      if (ms <= 0) return run()
      const timer = setTimeout(run, ms)
      res.once("close", () => clearTimeout(timer))
    }
    after(fault.delayMs, () => {
      switch (fault.kind) {
        case "none":
          return next()
        case "error":
          return sendError(
            req,
            res,
            HttpError.of(fault.status, "Emulated failure (chaos)", { headers: { "x-mkit-chaos": "error" } })
          )
        case "drop":
          return req.socket.destroy()
        case "stall":
          return after(source.stallMs, () => req.socket.destroy())
      }
    })
  }
