import type { IncomingMessage } from "node:http"
import { HttpError } from "./HttpError.js"

// RFC 6750 allows any visible ASCII in a bearer token; anything else counts as malformed.
const TOKEN = "[\\x21-\\x7e]+"
const BEARER = new RegExp(`^Bearer +(${TOKEN}) *$`, "i")
const SENDABLE = new RegExp(`^${TOKEN}$`)

/** Whether a token can be sent as `Authorization: Bearer <token>`: non-empty visible ASCII. */
export const isSendableToken = (token: string): boolean => SENDABLE.test(token)

/** The bearer token of a request, or `undefined` when `Authorization` is missing or not `Bearer <token>`. */
export const bearerToken = (req: IncomingMessage): string | undefined => {
  const header = req.headers.authorization
  return header === undefined ? undefined : BEARER.exec(header)?.[1]
}

/** Vercel's answer to a request without a usable `Authorization: Bearer <token>`: 403 `missingToken`. */
export const missingBearer = (): HttpError =>
  HttpError.of(403, "The request is missing an authentication token", { extra: { missingToken: true } })

/** Vercel's answer to an unknown, expired or revoked token: 403 `invalidToken`. */
export const invalidToken = (): HttpError =>
  HttpError.of(403, "Not authorized", { extra: { invalidToken: true } })
