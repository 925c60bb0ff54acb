import { Agent, request as httpRequest } from "node:http"
import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import express, { type ErrorRequestHandler } from "express"
import request from "supertest"
import { afterEach, describe, expect, it } from "vitest"
import { HttpError, type MarketplaceBackend, marketplaceRouter, type RequestContext } from "../src/index.js"
import { type Listening, listen } from "./support/listen.js"

interface Call {
  readonly operation: string
  readonly ctx: RequestContext
  readonly id: string
  readonly input: unknown
}

// A small real backend that records what the router hands it.
const recording = (overrides: Partial<MarketplaceBackend> = {}) => {
  const calls: Array<Call> = []
  const backend: MarketplaceBackend = {
    updateInstallation: async (ctx, id, body) => {
      calls.push({ operation: "updateInstallation", ctx, id, input: body })
    },
    createEvent: async (ctx, id, event) => {
      calls.push({ operation: "createEvent", ctx, id, input: event })
    },
    ...overrides
  }
  return { backend, calls }
}

let servers: Array<Listening> = []
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()))
  servers = []
})

/** A host app with the router at `/vercel`, one route of its own, and an error handler that records. */
const host = async (
  backend: MarketplaceBackend,
  bodyLimit?: number | string,
  options: { readonly explain?: boolean } = {}
) => {
  const hostErrors: Array<unknown> = []
  const app = express()
  app.use("/vercel", marketplaceRouter({ backend, bodyLimit, ...options }))
  app.get("/health", (_req, res) => {
    res.json({ ok: true })
  })
  const recordErrors: ErrorRequestHandler = (err, _req, res, next) => {
    hostErrors.push(err)
    if (res.headersSent) return
    next(err)
  }
  app.use(recordErrors)
  const server = await listen(app)
  servers.push(server)
  return { url: server.url, hostErrors }
}

const ID = "icfg_router"
const UPDATE = `/vercel/v1/installations/${ID}`
const EVENTS = `/vercel/v1/installations/${ID}/events`
const auth = { Authorization: "Bearer tok_123" }

const expectVercelError = (res: request.Response, status: number, code: string) => {
  expect(res.status).toBe(status)
  expect(res.headers["content-type"]).toMatch(/^application\/json/)
  expect(res.body.error.code).toBe(code)
  expect(typeof res.body.error.message).toBe("string")
  expect(res.body.error.message.length).toBeGreaterThan(0)
}

describe("marketplaceRouter: success", () => {
  it("PATCH answers 204 with no body and hands the parsed body, id and token to the backend", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    const body = { status: "ready", externalId: "ext-1", notification: null }
    const res = await request(url).patch(UPDATE).set(auth).send(body)
    expect(res.status).toBe(204)
    expect(res.text).toBe("")
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ operation: "updateInstallation", id: ID, input: body })
    expect(calls[0]!.ctx.token).toBe("tok_123")
    expect(calls[0]!.ctx.operation).toBe("updateInstallation")
    expect(calls[0]!.ctx.requestId).toMatch(/\S/)
  })

  it("POST …/events answers 201 with no body and hands the event to the backend", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    const event = { type: "resource.updated", resourceId: "res_1", productId: "prod_1" }
    const res = await request(url).post(EVENTS).set(auth).send({ event })
    expect(res.status).toBe(201)
    expect(res.text).toBe("")
    expect(calls).toEqual([expect.objectContaining({ operation: "createEvent", id: ID, input: event })])
  })

  it("keeps the token out of logs and JSON of the request context", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    await request(url).patch(UPDATE).set(auth).send({}).expect(204)
    const ctx = calls[0]!.ctx
    expect(ctx.token).toBe("tok_123")
    expect(JSON.stringify(ctx)).not.toContain("tok_123")
    expect(inspect(ctx, { depth: 5 })).not.toContain("tok_123")
  })

  it("reads a missing or malformed Authorization header as no token", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    await request(url).patch(UPDATE).send({}).expect(204)
    await request(url).patch(UPDATE).set("Authorization", "Basic dXNlcjpwYXNz").send({}).expect(204)
    await request(url).patch(UPDATE).set("Authorization", "Bearer").send({}).expect(204)
    expect(calls.map((call) => call.ctx.token)).toEqual([undefined, undefined, undefined])
  })

  it("treats a PATCH without a body as {} and accepts a charset and +json types", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    await request(url).patch(UPDATE).set(auth).expect(204)
    await request(url)
      .patch(UPDATE)
      .set(auth)
      .set("Content-Type", "application/json; charset=utf-8")
      .send(JSON.stringify({ externalId: "a" }))
      .expect(204)
    await request(url)
      .patch(UPDATE)
      .set(auth)
      .set("Content-Type", "application/merge-patch+json")
      .send(JSON.stringify({ externalId: "b" }))
      .expect(204)
    expect(calls.map((call) => call.input)).toEqual([{}, { externalId: "a" }, { externalId: "b" }])
  })

  it("leaves the host app's other routes alone", async () => {
    const { backend } = recording()
    const { url } = await host(backend)
    const res = await request(url).get("/health")
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ok: true })
  })

  it("works behind a host app's own express.json()", async () => {
    const { backend, calls } = recording()
    const app = express()
    app.use(express.json())
    app.use(marketplaceRouter({ backend }))
    const server = await listen(app)
    servers.push(server)
    await request(server.url).patch(`/v1/installations/${ID}`).send({ externalId: "pre-parsed" }).expect(204)
    expect(calls[0]!.input).toEqual({ externalId: "pre-parsed" })
  })
})

describe("marketplaceRouter: client mistakes are Vercel-shaped 4xx", () => {
  it("415 for a body that is not JSON, before reading it", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    const plain = await request(url)
      .patch(UPDATE)
      .set(auth)
      .set("Content-Type", "text/plain")
      .send("status=ready")
    expectVercelError(plain, 415, "unsupported_media_type")
    expect(plain.body.error.message).toContain("text/plain")
    const form = await request(url).post(EVENTS).set(auth).type("form").send({ a: "b" })
    expectVercelError(form, 415, "unsupported_media_type")
    const latin1 = await request(url)
      .patch(UPDATE)
      .set(auth)
      .set("Content-Type", "application/json; charset=latin1")
      .send("{}")
    expectVercelError(latin1, 415, "unsupported_media_type")
    expect(calls).toHaveLength(0)
  })

  it("413 above the default 100 kB limit, and accepts a body just under it", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    const big = await request(url)
      .patch(UPDATE)
      .set(auth)
      .send({ externalId: "x".repeat(101 * 1024) })
    expectVercelError(big, 413, "payload_too_large")
    await request(url)
      .patch(UPDATE)
      .set(auth)
      .send({ externalId: "x".repeat(99 * 1024) })
      .expect(204)
    expect(calls).toHaveLength(1)
  })

  it("413 above a custom bodyLimit", async () => {
    const { backend } = recording()
    const { url } = await host(backend, 1024)
    const res = await request(url)
      .patch(UPDATE)
      .set(auth)
      .send({ externalId: "x".repeat(2048) })
    expectVercelError(res, 413, "payload_too_large")
    expect(res.body.error.message).toContain("1024")
  })

  it("400 for malformed JSON", async () => {
    const { backend } = recording()
    const { url } = await host(backend)
    for (const text of ['{"status": "ready"', "{bad}", "nul", '"just a string"', "[1,]"]) {
      const res = await request(url)
        .patch(UPDATE)
        .set(auth)
        .set("Content-Type", "application/json")
        .send(text)
      expectVercelError(res, 400, "bad_request")
    }
  })

  it("400 naming the field for a schema failure: exactly { code, message }, as Vercel sends", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    const res = await request(url)
      .patch(UPDATE)
      .set(auth)
      .send({ billingPlan: { id: "p", type: "monthly", name: "P" } })
    expect(res.status).toBe(400)
    expect(res.body).toStrictEqual({
      error: {
        code: "bad_request",
        message: 'billingPlan.type: expected "prepayment" | "subscription", received "monthly"'
      }
    })
    const event = await request(url)
      .post(EVENTS)
      .set(auth)
      .send({ event: { type: "resource.updated" } })
    expectVercelError(event, 400, "bad_request")
    expect(event.body.error.message).toMatch(/^event\.resourceId: /)
    expect(Object.keys(event.body.error)).toEqual(["code", "message"])
    const empty = await request(url).post(EVENTS).set(auth)
    expectVercelError(empty, 400, "bad_request")
    expect(empty.body.error.message).toMatch(/^event: /)
    const array = await request(url).patch(UPDATE).set(auth).send([1, 2])
    expectVercelError(array, 400, "bad_request")
    expect(calls).toHaveLength(0)
  })

  it("with explain, a 400 also lists core's issues", async () => {
    const { backend } = recording()
    const { url } = await host(backend, undefined, { explain: true })
    const res = await request(url)
      .patch(UPDATE)
      .set(auth)
      .send({ billingPlan: { id: "p", type: "monthly", name: "P" }, status: "nope" })
    expectVercelError(res, 400, "bad_request")
    expect(res.body.error.issues).toEqual([
      { path: "billingPlan.type", message: 'expected "prepayment" | "subscription", received "monthly"' },
      expect.objectContaining({ path: "status" })
    ])
    const slash = await request(url).patch("/vercel/v1/installations/a%2Fb").set(auth).send({})
    expect(slash.body.error.issues).toEqual([
      { path: "integrationConfigurationId", message: 'must not contain "/"' }
    ])
  })

  it("400 for an id core refuses (encoded slash, too long, undecodable)", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    const slash = await request(url).patch("/vercel/v1/installations/a%2Fb").set(auth).send({})
    expect(slash.status).toBe(400)
    expect(slash.body).toStrictEqual({
      error: { code: "bad_request", message: 'integrationConfigurationId: must not contain "/"' }
    })
    const long = await request(url)
      .patch(`/vercel/v1/installations/${"i".repeat(257)}`)
      .set(auth)
      .send({})
    expectVercelError(long, 400, "bad_request")
    const dots = await request(url).post("/vercel/v1/installations/%2E%2E/events").set(auth).send({})
    expectVercelError(dots, 400, "bad_request")
    const broken = await request(url).patch("/vercel/v1/installations/%E0%A4%A").set(auth).send({})
    expectVercelError(broken, 400, "bad_request")
    expect(calls).toHaveLength(0)
  })

  it("400 for JSON nested deeper than real bodies ever are", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    const deep = `{"billingPlan":{"id":"p","type":"prepayment","name":"P","extra":${"[".repeat(40)}${"]".repeat(40)}}}`
    const res = await request(url).patch(UPDATE).set(auth).set("Content-Type", "application/json").send(deep)
    expectVercelError(res, 400, "bad_request")
    expect(res.body.error.message).toContain("deeper")
    expect(calls).toHaveLength(0)
  })

  it("404 for an unknown path under the prefix", async () => {
    const { backend } = recording()
    const { url } = await host(backend)
    for (const path of [
      "/vercel/v1/installations",
      "/vercel/v1/installations/a/b",
      "/vercel/v2/x",
      "/vercel"
    ]) {
      expectVercelError(await request(url).get(path), 404, "not_found")
    }
    expectVercelError(await request(url).patch(`${EVENTS}/more`).set(auth).send({}), 404, "not_found")
  })

  it("405 with Allow for a wrong method on a known path", async () => {
    const { backend, calls } = recording()
    const { url } = await host(backend)
    const cases = [
      { method: "get", path: UPDATE, allow: "PATCH" },
      { method: "post", path: UPDATE, allow: "PATCH" },
      { method: "put", path: UPDATE, allow: "PATCH" },
      { method: "delete", path: UPDATE, allow: "PATCH" },
      { method: "get", path: EVENTS, allow: "POST" },
      { method: "patch", path: EVENTS, allow: "POST" }
    ] as const
    for (const { method, path, allow } of cases) {
      const res = await request(url)[method](path).set(auth).send({})
      expectVercelError(res, 405, "method_not_allowed")
      expect(res.headers.allow).toBe(allow)
    }
    expect(calls).toHaveLength(0)
  })

  it("answers early (405, 415) to callers still uploading a body, on keep-alive sockets, without resets", async () => {
    const { backend } = recording()
    const { url } = await host(backend)
    const agent = new Agent({ keepAlive: true, maxSockets: 32 })
    const big = JSON.stringify({ externalId: "x".repeat(64 * 1024) })
    const send = (method: string, path: string, type: string) =>
      new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = httpRequest(
          new URL(path, url),
          { method, agent, headers: { ...auth, "content-type": type } },
          (res) => {
            res.resume()
            res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }))
          }
        )
        req.on("error", reject)
        req.end(big)
      })
    const answers = await Promise.all(
      Array.from({ length: 32 }, async (_, worker) => {
        const seen: Array<number> = []
        for (let i = 0; i < 8; i++) {
          const answer = await (worker % 2 === 0
            ? send("POST", UPDATE, "application/json")
            : send("PATCH", UPDATE, "text/plain"))
          expect(answer.connection).toBe("close")
          seen.push(answer.status)
        }
        return seen
      })
    )
    agent.destroy()
    expect(answers.flat()).toEqual(
      answers.flatMap((_, worker) => Array(8).fill(worker % 2 === 0 ? 405 : 415))
    )
  })
})

describe("marketplaceRouter: backends", () => {
  it("answers an HttpError thrown by a Promise backend with its status, body and headers", async () => {
    const { backend } = recording({
      updateInstallation: async () => {
        throw HttpError.of(429, "slow down", {
          extra: { limit: { total: 1 } },
          headers: { "Retry-After": "7" }
        })
      }
    })
    const { url, hostErrors } = await host(backend)
    const res = await request(url).patch(UPDATE).set(auth).send({})
    expect(res.status).toBe(429)
    expect(res.headers["retry-after"]).toBe("7")
    expect(res.body).toEqual({ error: { code: "rate_limited", message: "slow down", limit: { total: 1 } } })
    expect(hostErrors).toHaveLength(0)
  })

  it("runs Effect backends: success, a typed HttpError failure, and a defect", async () => {
    const { backend } = recording({
      updateInstallation: (_ctx, id) =>
        id === "fails" ? Effect.fail(HttpError.of(404, "no such installation")) : Effect.void,
      createEvent: () => Effect.die(new Error("effect defect: secret internals"))
    })
    const { url, hostErrors } = await host(backend)
    await request(url).patch(UPDATE).set(auth).send({}).expect(204)
    expectVercelError(await request(url).patch("/vercel/v1/installations/fails").send({}), 404, "not_found")
    const defect = await request(url)
      .post(EVENTS)
      .set(auth)
      .send({ event: { type: "installation.updated" } })
    expectVercelError(defect, 500, "internal_server_error")
    expect(defect.text).not.toContain("secret internals")
    await expect.poll(() => hostErrors.length).toBe(1)
    expect((hostErrors[0] as Error).message).toBe("effect defect: secret internals")
  })

  it("answers a backend bug with a generic 500 and passes the error to the host's error handler", async () => {
    const bug = new TypeError("cannot read properties of undefined (reading 'db')")
    const { backend } = recording({
      updateInstallation: () => {
        throw bug
      }
    })
    const { url, hostErrors } = await host(backend)
    const res = await request(url).patch(UPDATE).set(auth).send({})
    expectVercelError(res, 500, "internal_server_error")
    expect(res.body.error.message).toBe("An unexpected error occurred.")
    await expect.poll(() => hostErrors).toEqual([bug])
  })

  it("answers 500 and names the operation when a backend returns neither a Promise, this effect's Effect nor undefined", async () => {
    // An Effect of another major version of effect carries another version under the same key.
    const variance = Symbol.for("effect/Effect")
    const foreignEffect = Object.assign(Object.create(Object.getPrototypeOf(Effect.void)), {
      [variance]: { ...(Effect.void as unknown as Record<symbol, object>)[variance], _V: "4.0.0" }
    })
    const effect4LookAlike = { "~effect/Effect": { _A: () => undefined }, pipe: () => undefined }
    const cases: Array<[unknown, RegExp]> = [
      [foreignEffect, /^backend\.updateInstallation returned an Effect of effect 4\.x \(this is 3\.x\)/],
      [effect4LookAlike, /^backend\.updateInstallation returned an object; expected a Promise, an Effect/],
      [42, /^backend\.updateInstallation returned number/],
      [null, /^backend\.updateInstallation returned null/]
    ]
    for (const [returned, message] of cases) {
      let ran = false
      const { backend } = recording({
        updateInstallation: () => {
          ran = true
          return returned as undefined
        }
      })
      const { url, hostErrors } = await host(backend)
      const res = await request(url).patch(UPDATE).set(auth).send({})
      expectVercelError(res, 500, "internal_server_error")
      expect(ran).toBe(true)
      await expect.poll(() => hostErrors.length).toBe(1)
      expect((hostErrors[0] as Error).message).toMatch(message)
    }
    const { url, hostErrors } = await host(
      recording({ authorize: () => "yes" as unknown as undefined }).backend
    )
    expectVercelError(await request(url).patch(UPDATE).set(auth).send({}), 500, "internal_server_error")
    await expect.poll(() => hostErrors.length).toBe(1)
    expect((hostErrors[0] as Error).message).toMatch(/^backend\.authorize returned string/)
  })

  it("still delivers the 500 body when the host has no error handler of its own", async () => {
    const { backend } = recording({
      createEvent: async () => {
        throw new Error("boom")
      }
    })
    const app = express()
    app.use(marketplaceRouter({ backend }))
    const server = await listen(app)
    servers.push(server)
    const res = await request(server.url)
      .post(`/v1/installations/${ID}/events`)
      .send({ event: { type: "installation.updated" } })
    expectVercelError(res, 500, "internal_server_error")
  })

  it("calls authorize before reading the body, so an unauthorized caller learns nothing about it", async () => {
    const { backend, calls } = recording({
      authorize: async (ctx) => {
        if (ctx.token !== "tok_123") throw HttpError.of(401, "who are you")
      }
    })
    const { url } = await host(backend)
    const res = await request(url).patch(UPDATE).set("Content-Type", "application/json").send("{not json")
    expectVercelError(res, 401, "unauthorized")
    await request(url).patch(UPDATE).set(auth).send({ status: "ready" }).expect(204)
    expect(calls).toHaveLength(1)
  })

  it("aborts ctx.signal when the caller hangs up mid-request", async () => {
    let aborted: () => void = () => undefined
    const sawAbort = new Promise<void>((resolve) => {
      aborted = resolve
    })
    let started: () => void = () => undefined
    const backendStarted = new Promise<void>((resolve) => {
      started = resolve
    })
    const { backend } = recording({
      updateInstallation: (ctx) =>
        new Promise<void>((resolve) => {
          started()
          ctx.signal.addEventListener("abort", () => {
            aborted()
            resolve()
          })
        })
    })
    const { url, hostErrors } = await host(backend)
    const controller = new AbortController()
    const call = fetch(`${url}${UPDATE}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: controller.signal
    })
    await backendStarted
    controller.abort()
    await expect(call).rejects.toThrow()
    await sawAbort
    expect(hostErrors).toHaveLength(0)
  })
})
