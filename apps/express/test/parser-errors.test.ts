import { once } from "node:events"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { connect } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type EmulatorServer, shapeParserErrors, startEmulatorServer } from "../src/index.js"

// Raw bytes over a socket: these requests never reach Express, Node's parser answers them itself.
const raw = (port: number, bytes: string, { waitMs = 0 } = {}) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1")
    let answer = ""
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      answer += chunk
    })
    socket.on("error", reject)
    socket.on("close", () => resolve(answer))
    socket.write(bytes)
    if (waitMs === 0) setTimeout(() => socket.end(), 2000)
  })

const parse = (answer: string) => {
  const [head = "", body = ""] = answer.split("\r\n\r\n")
  return {
    status: Number(head.split(" ")[1]),
    type: /content-type: ([^\r]+)/i.exec(head)?.[1],
    body: JSON.parse(body) as unknown
  }
}

let server: EmulatorServer
let port: number
beforeAll(async () => {
  server = await startEmulatorServer({ installations: [{ id: "icfg_raw", token: "tok_raw" }] })
  port = server.port
})
afterAll(() => server.close())

describe("answers Node's HTTP parser writes itself are Vercel-shaped", () => {
  it("400 for an unknown method and for broken chunking", async () => {
    expect(parse(await raw(port, "BREW /v1/installations/icfg_raw HTTP/1.1\r\nHost: x\r\n\r\n"))).toEqual({
      status: 400,
      type: "application/json; charset=utf-8",
      body: { error: { code: "bad_request", message: "Unknown HTTP method" } }
    })
    const chunked = await raw(
      port,
      "PATCH /v1/installations/icfg_raw HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok_raw\r\n" +
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    )
    expect(parse(chunked)).toMatchObject({
      status: 400,
      body: { error: { code: "bad_request", message: expect.stringMatching(/^Malformed HTTP request/) } }
    })
    expect(server.emulator.state.sequence).toBe(0)
  })

  it("431 for headers over Node's limit", async () => {
    const answer = await raw(
      port,
      `GET /v1/installations/icfg_raw HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`
    )
    expect(parse(answer)).toEqual({
      status: 431,
      type: "application/json; charset=utf-8",
      body: { error: { code: "request_header_fields_too_large", message: "Request header fields too large" } }
    })
  })

  it("417 for an Expect other than 100-continue", async () => {
    const answer = await raw(
      port,
      "PATCH /v1/installations/icfg_raw HTTP/1.1\r\nHost: x\r\nExpect: 201-maybe\r\nContent-Length: 2\r\n\r\n{}"
    )
    expect(parse(answer)).toMatchObject({
      status: 417,
      body: { error: { code: "expectation_failed", message: 'Expectation "201-maybe" is not supported' } }
    })
  })

  it("408 for a request not received within the server's timeout (any server, with shapeParserErrors)", async () => {
    const plain = shapeParserErrors(
      createServer({ requestTimeout: 200, connectionsCheckingInterval: 50 }, (_req, res) => res.end())
    )
    plain.listen(0, "127.0.0.1")
    await once(plain, "listening")
    try {
      const answer = await raw((plain.address() as AddressInfo).port, "PATCH / HTTP/1.1\r\nHost: x\r\n", {
        waitMs: 1
      })
      expect(parse(answer)).toEqual({
        status: 408,
        type: "application/json; charset=utf-8",
        body: { error: { code: "request_timeout", message: "The request was not received in time" } }
      })
    } finally {
      plain.closeAllConnections()
      plain.close()
    }
  })
})
