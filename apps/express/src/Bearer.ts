import type { IncomingMessage } from "node:http"
import { HttpError } from "./HttpError.js"

// RFC 6750 allows any visible ASCII after "Bearer "; anything else counts as malformed.
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i

/** The bearer token of a request, or `undefined` when `Authorization` is missing or not `Bearer <token>`. */
export const bearerToken = (req: IncomingMessage): string | undefined => {
  const header = req.headers.authorization
  return header === undefined ? undefined : BEARER.exec(header)?.[1]
}

/** The 401 for a request without a usable `Authorization: Bearer <token>`. */
export const missingBearer = (): HttpError =>
  HttpError.of(401, 'Missing or malformed Authorization header; expected "Bearer <token>"')
