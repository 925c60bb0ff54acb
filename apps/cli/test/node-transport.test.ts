import { once } from "node:events"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as NodeTransport from "../src/NodeTransport.js"

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

// A real server on 127.0.0.1: /echo answers 400 with a JSON error, /cut sends half a body and
// drops the connection, anything else answers 201 with an empty body.
let server: Server
let base: string
const received: Array<Received> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk
    })
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
      if (req.url === "/echo") {
        res.writeHead(400, { "content-type": "application/json", "x-vercel-id": "iad1::t" })
        res.end(JSON.stringify({ error: { code: "bad_request", message: body } }))
      } else if (req.url === "/big") {
        // 5 MB of error body: the transport keeps the first 64 KiB and reads the rest to the end.
        res.writeHead(500, { "content-type": "text/plain" })
        const chunk = Buffer.alloc(64 * 1024, "x")
        for (let i = 0; i < 80; i++) res.write(chunk)
        res.end()
      } else if (req.url === "/cut") {
        res.writeHead(500, { "content-length": "100" })
        res.write("{")
        setTimeout(() => req.socket.destroy(), 10)
      } else {
        res.writeHead(201)
        res.end()
      }
    })
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => {
  server.closeAllConnections()
  server.close()
})

const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(NodeTransport.make, (client) => Effect.either(client.execute(request))))
  )

const last = () => received.at(-1)!

describe("NodeTransport", () => {
  it("sends a text (raw) body with its headers and reads the status, headers and body", async () => {
    const request = HttpClientRequest.post(`${base}/echo`).pipe(
      HttpClientRequest.setHeader("authorization", "Bearer t"),
      HttpClientRequest.setBody(HttpBody.raw('{"a":1}', { contentType: "application/json" }))
    )
    const result = await send(request)
    if (result._tag === "Left") throw result.left
    const response = result.right
    expect(response.status).toBe(400)
    expect(response.headers["x-vercel-id"]).toBe("iad1::t")
    expect(await Effect.runPromise(response.json)).toEqual({
      error: { code: "bad_request", message: '{"a":1}' }
    })
    expect(last()).toMatchObject({
      method: "POST",
      url: "/echo",
      body: '{"a":1}',
      headers: { authorization: "Bearer t", "content-type": "application/json", "content-length": "7" }
    })
  })

  it("sends a JSON (bytes) body and an empty one", async () => {
    const json = await send(
      HttpClientRequest.patch(`${base}/x`).pipe(HttpClientRequest.bodyUnsafeJson({ b: 2 }))
    )
    expect(json._tag === "Right" && json.right.status).toBe(201)
    expect(last()).toMatchObject({ method: "PATCH", body: '{"b":2}' })
    const empty = await send(HttpClientRequest.post(`${base}/y`))
    expect(empty._tag === "Right" && empty.right.status).toBe(201)
    expect(last()).toMatchObject({ method: "POST", url: "/y", body: "" })
  })

  it("keeps at most bodyLimit bytes of a body", async () => {
    const result = await send(HttpClientRequest.get(`${base}/big`))
    if (result._tag === "Left") throw result.left
    expect(result.right.status).toBe(500)
    const text = await Effect.runPromise(result.right.text)
    expect(text).toHaveLength(NodeTransport.bodyLimit)
  })

  it("keeps the status of a response whose body is cut short; only reading the body fails", async () => {
    const result = await send(HttpClientRequest.get(`${base}/cut`))
    if (result._tag === "Left") throw result.left
    expect(result.right.status).toBe(500)
    const text = await Effect.runPromise(Effect.either(result.right.text))
    expect(text._tag === "Left" && text.left.reason).toBe("Decode")
  })

  it("fails with a transport error when nothing listens, and refuses a body it cannot write", async () => {
    const closed = createServer()
    closed.listen(0, "127.0.0.1")
    await once(closed, "listening")
    const port = (closed.address() as AddressInfo).port
    closed.close()
    await once(closed, "close")
    const refused = await send(HttpClientRequest.get(`http://127.0.0.1:${port}/`))
    expect(refused._tag === "Left" && refused.left._tag === "RequestError" && refused.left.reason).toBe(
      "Transport"
    )
    const form = await send(
      HttpClientRequest.post(`${base}/z`).pipe(HttpClientRequest.bodyFormData(new FormData()))
    )
    expect(form._tag === "Left" && form.left._tag === "RequestError" && form.left.reason).toBe("Encode")
  })
})
