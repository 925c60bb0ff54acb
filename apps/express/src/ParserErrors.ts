import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from "node:http"
import type { Duplex } from "node:stream"
import { HttpError } from "./HttpError.js"

// What Node's HTTP parser refused, as the status Vercel would answer (Node's own defaults, shaped).
const answerFor = (code: string | undefined): HttpError => {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return HttpError.of(431, "Request header fields too large")
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return HttpError.of(408, "The request was not received in time")
    case "HPE_INVALID_METHOD":
      return HttpError.of(400, "Unknown HTTP method")
    default:
      return HttpError.of(400, `Malformed HTTP request${code?.startsWith("HPE_") ? ` (${code})` : ""}`)
  }
}

const rawResponse = (error: HttpError): string => {
  const body = JSON.stringify(error.body)
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    "",
    body
  ].join("\r\n")
}

/**
 * Makes the answers Node's HTTP server writes by itself Vercel-shaped JSON: requests its parser
 * refuses (bad chunking, an unknown method, malformed headers → 400; headers too large → 431; a
 * request not received within `requestTimeout`/`headersTimeout` → 408) and an `Expect` header other
 * than `100-continue` (417). A connection that already carries part of a response, or that the
 * client closed, is closed without an answer: there is nothing left to shape.
 */
export const shapeParserErrors = (server: Server): Server =>
  server
    .on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
      const started = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent
      if (error.code === "ECONNRESET" || !socket.writable || started) return void socket.destroy()
      socket.end(rawResponse(answerFor(error.code)))
    })
    .on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
      const error = HttpError.of(417, `Expectation ${JSON.stringify(req.headers.expect)} is not supported`)
      const body = JSON.stringify(error.body)
      res.writeHead(error.status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(body),
        Connection: "close"
      })
      res.end(body)
    })
