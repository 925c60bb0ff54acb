import type { ErrorRequestHandler, Request, Response } from "express"
import { HttpError } from "./HttpError.js"

/** The body of every 500 caused by a bug: generic, so nothing internal leaks. */
export const INTERNAL_ERROR = HttpError.of(500, "An unexpected error occurred.")

interface ClientFault {
  readonly status: number
  readonly type?: unknown
  readonly limit?: unknown
  readonly message: string
}

// body-parser and Express's param decoding fail with http-errors objects whose 4xx status we keep.
const isClientFault = (err: unknown): err is ClientFault => {
  const status: unknown = err instanceof Error ? (err as Error & { status?: unknown }).status : undefined
  return typeof status === "number" && status >= 400 && status < 500
}

/** Maps a thrown value to the HttpError to answer with, or `undefined` when it is a bug. */
export const toHttpError = (err: unknown): HttpError | undefined => {
  if (err instanceof HttpError) return err
  if (!isClientFault(err)) return undefined
  switch (err.type) {
    case "entity.too.large":
      return HttpError.of(413, `Request body exceeds the limit of ${err.limit} bytes`)
    case "entity.parse.failed":
      return HttpError.of(400, `Malformed JSON body: ${err.message}`)
    case "charset.unsupported":
    case "encoding.unsupported":
      return HttpError.of(415, err.message)
    default:
      return HttpError.of(err.status, err.message)
  }
}

/**
 * Writes an HttpError as a Vercel-shaped JSON response. When we answer before the request body was
 * read (405, 415, 413, auth…), the connection is closed after the answer and the unread bytes are
 * drained meanwhile: otherwise the client may be reset mid-upload and never see the answer, or reuse
 * a socket that still carries half a request.
 */
export const sendError = (req: Request, res: Response, error: HttpError, explain = false): void => {
  if (!req.complete) {
    res.set("Connection", "close")
    req.resume()
  }
  answered.set(res, error)
  const body =
    explain && error.issues !== undefined
      ? { error: { ...error.body.error, issues: error.issues } }
      : error.body
  res.status(error.status).set(error.headers).json(body)
}

// Which error a response was answered with, for the emulator's request log (a WeakMap, so a
// response object carries nothing extra that a host app could trip over).
const answered = new WeakMap<Response, HttpError>()

/** The HttpError a response was answered with by {@link sendError}, if any. */
export const answeredError = (res: Response): HttpError | undefined => answered.get(res)

/**
 * Trailing error middleware: known failures become their Vercel-shaped answer; anything else is a
 * bug, answered with a generic 500 and then passed on with `next(err)` so the host app's error
 * handlers can log it. With `explain`, a 400's per-field `issues` are added to its body (Vercel
 * does not send them; use it for local debugging only).
 */
export const errorHandler =
  (options: { readonly explain?: boolean } = {}): ErrorRequestHandler =>
  (err, req, res, next) => {
    if (res.headersSent) return next(err)
    const known = toHttpError(err)
    if (known) return sendError(req, res, known, options.explain)
    sendError(req, res, INTERNAL_ERROR)
    // Report only once our 500 is on the wire, so whatever the host does next cannot cut it off.
    let reported = false
    const report = () => {
      if (reported) return
      reported = true
      next(err)
    }
    res.once("finish", report)
    res.once("close", report)
  }

/** {@link errorHandler} with the default options: bodies exactly as Vercel shapes them. */
export const vercelErrorHandler: ErrorRequestHandler = errorHandler()
