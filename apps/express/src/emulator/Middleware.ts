import { randomUUID } from "node:crypto"
import type { RequestHandler } from "express"
import { bearerToken } from "../Bearer.js"
import { sendError } from "../ErrorResponse.js"
import { HttpError } from "../HttpError.js"
import type { Chaos } from "./Chaos.js"
import type { RateLimiter } from "./RateLimiter.js"

/** Gives each request an id, returned as `x-vercel-id` like Vercel does and passed to the router. */
export const requestId: RequestHandler = (_req, res, next) => {
  const id = `emu1::${randomUUID()}`
  res.locals.requestId = id
  res.set("x-vercel-id", id)
  next()
}

/** Vercel's rate-limit headers on every answer, and its 429 body when the caller's bucket is empty. */
export const rateLimit =
  (limiter: () => RateLimiter): RequestHandler =>
  (req, res, next) => {
    const token = bearerToken(req)
    const decision = limiter().take(
      token === undefined ? `address:${req.socket.remoteAddress}` : `token:${token}`
    )
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
        headers: { "Retry-After": String(retryAfter) }
      })
    )
  }

/**
 * Applies the next chaos fault before the request reaches the router, so a fault never
 * half-applies a write: a 5xx, drop or stall means the write did not happen.
 */
export const chaos =
  (current: () => Chaos): RequestHandler =>
  (req, res, next) => {
    const source = current()
    const fault = source.next()
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
