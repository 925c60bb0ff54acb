import { once } from "node:events"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import express from "express"
import request from "supertest"
import { afterEach, describe, expect, it } from "vitest"
import {
  createForwardBackend,
  type EmulatorServer,
  type EmulatorServerOptions,
  type ForwardBackendOptions,
  marketplaceRouter,
  startEmulatorServer
} from "../src/index.js"
import { type Listening, listen } from "./support/listen.js"

// A relay (router + forward backend) in front of a real emulator: both on 127.0.0.1.

const A = { id: "icfg_fwd_a", token: "tok_fwd_a" }
const B = { id: "icfg_fwd_b", token: "tok_fwd_b" }
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

let closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.map((close) => close()))
  closers = []
})

const upstream = async (options: EmulatorServerOptions = {}): Promise<EmulatorServer> => {
  const server = await startEmulatorServer({ installations: [A, B], ...options })
  closers.push(server.close)
  return server
}

const relay = async (options: ForwardBackendOptions): Promise<Listening> => {
  const app = express()
  app.use("/relay", marketplaceRouter({ backend: createForwardBackend(options) }))
  const server = await listen(app)
  closers.push(server.close)
  return server
}

describe("forward backend chained to an emulator", () => {
  it("passes the caller's token through: updates and both event types land in the emulator", async () => {
    const target = await upstream()
    const { url } = await relay({ baseUrl: target.url, retry: false })
    await request(url)
      .patch(`/relay/v1/installations/${A.id}`)
      .set(bearer(A.token))
      .send({ status: "ready", notification: { level: "info", title: "Hi" }, externalId: "acct_1" })
      .expect(204)
    await request(url)
      .post(`/relay/v1/installations/${A.id}/events`)
      .set(bearer(A.token))
      .send({ event: { type: "installation.updated", billingPlanId: "plan_pro" } })
      .expect(201)
    await request(url)
      .post(`/relay/v1/installations/${B.id}/events`)
      .set(bearer(B.token))
      .send({ event: { type: "resource.updated", resourceId: "res_9" } })
      .expect(201)
    await request(url)
      .patch(`/relay/v1/installations/${A.id}`)
      .set(bearer(A.token))
      .send({ notification: null })
      .expect(204)
    expect(target.emulator.state.installation(A.id)).toMatchObject({ status: "ready", externalId: "acct_1" })
    expect(target.emulator.state.installation(A.id)).not.toHaveProperty("notification")
    expect(target.emulator.state.events().map((entry) => [entry.operation, entry.installationId])).toEqual([
      ["updateInstallation", A.id],
      ["createEvent", A.id],
      ["createEvent", B.id],
      ["updateInstallation", A.id]
    ])
  })

  it("uses a configured token whatever the caller sends", async () => {
    const target = await upstream()
    const { url } = await relay({ baseUrl: target.url, token: A.token, retry: false })
    await request(url).patch(`/relay/v1/installations/${A.id}`).send({ externalId: "via-config" }).expect(204)
    expect(target.emulator.state.installation(A.id)?.externalId).toBe("via-config")
  })

  it("answers Vercel's 403 missingToken itself when passing through and the caller sent no token", async () => {
    const target = await upstream()
    const { url } = await relay({ baseUrl: target.url, retry: false })
    const res = await request(url).patch(`/relay/v1/installations/${A.id}`).send({})
    expect(res.status).toBe(403)
    expect(res.body).toStrictEqual({
      error: {
        code: "forbidden",
        message: "The request is missing an authentication token",
        missingToken: true
      }
    })
    expect(target.emulator.state.sequence).toBe(0)
  })

  it("relays 403 and 404 with the upstream's status, body and x-vercel-id", async () => {
    const target = await upstream()
    const { url } = await relay({ baseUrl: target.url, retry: false })
    for (const [id, token, status] of [
      [A.id, B.token, 403],
      ["icfg_ghost", A.token, 404]
    ] as const) {
      const direct = await request(target.url).patch(`/v1/installations/${id}`).set(bearer(token)).send({})
      const relayed = await request(url).patch(`/relay/v1/installations/${id}`).set(bearer(token)).send({})
      expect(relayed.status).toBe(status)
      expect(relayed.body).toEqual(direct.body)
      expect(relayed.headers["x-vercel-id"]).toMatch(/^emu1::/)
    }
  })

  it("relays 429 with Retry-After and the rate_limited body", async () => {
    const target = await upstream({ rateLimit: { requestsPerSecond: 0.01, burst: 1 } })
    const { url } = await relay({ baseUrl: target.url, retry: false })
    const patch = () => request(url).patch(`/relay/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    await patch().expect(204)
    const limited = await patch()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(90)
    expect(limited.body.error).toMatchObject({ code: "rate_limited", limit: { remaining: 0, total: 1 } })
  })

  it("relays an upstream 5xx as the same status and body when retries are off", async () => {
    const target = await upstream({ chaos: { seed: 5, errorRate: 1 } })
    const { url } = await relay({ baseUrl: target.url, retry: false })
    const direct = await request(target.url).patch(`/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    const relayed = await request(url).patch(`/relay/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    expect([500, 502, 503]).toContain(relayed.status)
    expect(relayed.body.error.message).toBe(direct.body.error.message)
  })

  it("retries through upstream chaos until every write lands, exactly once", async () => {
    const target = await upstream({ chaos: { seed: 11, errorRate: 0.4, dropRate: 0.1 } })
    const { url } = await relay({
      baseUrl: target.url,
      retry: { maxAttempts: 30, baseDelay: 1, maxDelay: 2 }
    })
    const ids = Array.from({ length: 15 }, (_, i) => `w${i}`)
    for (const externalId of ids) {
      await request(url)
        .patch(`/relay/v1/installations/${A.id}`)
        .set(bearer(A.token))
        .send({ externalId })
        .expect(204)
    }
    const landed = target.emulator.state
      .events()
      .map((entry) => (entry.operation === "updateInstallation" ? entry.body.externalId : undefined))
    expect(landed).toEqual(ids)
  })

  it("answers 502 when the upstream is unreachable, without echoing the token", async () => {
    const gone = await upstream()
    await gone.close()
    const { url } = await relay({ baseUrl: gone.url, retry: false })
    const res = await request(url).patch(`/relay/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    expect(res.status).toBe(502)
    expect(res.body.error.code).toBe("bad_gateway")
    expect(res.text).not.toContain(A.token)
  })

  it("answers 504 when the upstream does not answer in time", async () => {
    const target = await upstream({ chaos: { seed: 1, stallRate: 1, stallMs: 10_000 } })
    const { url } = await relay({ baseUrl: target.url, timeoutMs: 100, retry: false })
    const res = await request(url).patch(`/relay/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    expect(res.status).toBe(504)
    expect(res.body.error.code).toBe("gateway_timeout")
    expect(target.emulator.state.sequence).toBe(0)
  })

  // A plain 127.0.0.1 server answering every request with `answer`.
  const rawUpstream = async (answer: Parameters<typeof createServer>[1]) => {
    let hits = 0
    const server = createServer((req, res) => {
      hits++
      answer?.(req, res)
    })
    server.listen(0, "127.0.0.1")
    await once(server, "listening")
    closers.push(async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits }
  }

  it("never hands its own token to a caller, even when the upstream echoes it JSON-escaped", async () => {
    const secret = "relay_secret_token_9f3e2a"
    const escaped = (text: string) =>
      [...text].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
    const target = await rawUpstream((req, res) => {
      req.resume()
      const token = req.headers.authorization?.slice("Bearer ".length) ?? ""
      res.writeHead(404, { "content-type": "application/json", "x-vercel-id": `iad1::${token}` })
      res.end(
        `{"error":{"code":"not_found","message":"unknown token ${escaped(token)}","seen":"${escaped(token)}"}}`
      )
    })
    const { url } = await relay({ baseUrl: target.url, token: secret, retry: false })
    const res = await request(url).patch(`/relay/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({
      code: "not_found",
      message: "unknown token <redacted>",
      seen: "<redacted>"
    })
    for (const text of [res.text, JSON.stringify(res.headers)]) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(escaped(secret))
    }
  })

  it("never follows an upstream redirect: no 2xx to the caller, nothing sent to the Location", async () => {
    const elsewhere = await rawUpstream((req, res) => {
      req.resume()
      res.writeHead(204)
      res.end()
    })
    const target = await rawUpstream((req, res) => {
      req.resume()
      res.writeHead(303, { location: `${elsewhere.url}/v1/installations/${A.id}` })
      res.end()
    })
    const { url } = await relay({ baseUrl: target.url })
    const res = await request(url)
      .patch(`/relay/v1/installations/${A.id}`)
      .set(bearer(A.token))
      .send({ status: "ready" })
    expect(res.status).toBe(502)
    expect(target.hits()).toBe(1)
    expect(elsewhere.hits()).toBe(0)
  })
})
