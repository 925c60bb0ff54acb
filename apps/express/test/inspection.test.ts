import request from "supertest"
import { describe, expect, it } from "vitest"
import type { RequestRecord } from "../src/index.js"
import { A, ADMIN, B, bearer, emulatorStarter } from "./support/Emulators.js"

const admin = bearer(ADMIN)

const start = emulatorStarter()

describe("inspection API: the request log", () => {
  it("records every request with its status, and a rejected body's issues (which the answer leaves out)", async () => {
    const { url, emulator } = await start()
    const live: Array<RequestRecord> = []
    const unsubscribe = emulator.requests.subscribe((record) => live.push(record))
    const bad = await request(url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer(A.token))
      .send({ status: "nope", billingPlan: { id: "p", type: "monthly", name: "P" } })
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.error)).toEqual(["code", "message"])
    await request(url).patch(`/v1/installations/${A.id}`).send({}).expect(403)
    await request(url)
      .post(`/v1/installations/${B.id}/events`)
      .set(bearer(B.token))
      .send({ event: { type: "installation.updated" } })
      .expect(201)
    await request(url).get("/v1/nowhere").set(bearer(B.token)).expect(404)

    const res = await request(url).get("/_emulator/requests").set(admin).expect(200)
    expect(res.body.last).toBe(4)
    const [rejected, denied, created, unknown] = res.body.requests as Array<RequestRecord>
    expect(rejected).toMatchObject({
      id: 1,
      method: "PATCH",
      path: `/v1/installations/${A.id}`,
      operation: "updateInstallation",
      installationId: A.id,
      status: 400,
      requestId: bad.headers["x-vercel-id"],
      error: { code: "bad_request", message: bad.body.error.message }
    })
    expect(rejected?.issues).toEqual([
      { path: "billingPlan.type", message: 'expected "prepayment" | "subscription", received "monthly"' },
      expect.objectContaining({ path: "status" })
    ])
    expect(denied).toMatchObject({ id: 2, status: 403, error: { code: "forbidden" } })
    expect(denied).not.toHaveProperty("issues")
    expect(created).toMatchObject({ id: 3, operation: "createEvent", installationId: B.id, status: 201 })
    expect(created).not.toHaveProperty("error")
    expect(unknown).toMatchObject({ id: 4, status: 404, path: "/v1/nowhere" })
    expect(unknown).not.toHaveProperty("operation")
    expect(JSON.stringify(res.body)).not.toContain(A.token)
    expect(JSON.stringify(res.body)).not.toContain(B.token)
    expect(live.map((record) => record.id)).toEqual([1, 2, 3, 4])
    unsubscribe()

    const since = await request(url).get("/_emulator/requests?since=2&limit=1").set(admin).expect(200)
    expect(since.body.requests.map((record: RequestRecord) => record.id)).toEqual([3])
    await request(url).post("/_emulator/reset").set(admin).expect(204)
    const cleared = await request(url).get("/_emulator/requests").set(admin).expect(200)
    expect(cleared.body).toEqual({ requests: [], last: 4 })
    expect(live).toHaveLength(4)
  })

  it("with explain, 400 bodies carry the issues too", async () => {
    const { url } = await start({ explain: true })
    const res = await request(url)
      .post(`/v1/installations/${A.id}/events`)
      .set(bearer(A.token))
      .send({ event: { type: "resource.updated" } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues).toEqual([expect.objectContaining({ path: "event.resourceId" })])
  })
})

describe("inspection API: token rotation", () => {
  it("issues a new token; the old one stops at once, or after graceSeconds", async () => {
    const { url } = await start({ tokenTtlMs: 3_600_000 })
    const patch = (token: string) =>
      request(url).patch(`/v1/installations/${A.id}`).set(bearer(token)).send({ status: "ready" })
    const before = Date.now()
    const first = await request(url).post(`/_emulator/installations/${A.id}/token`).set(admin).expect(201)
    expect(Object.keys(first.body).sort()).toEqual(["expiresAt", "token"])
    const expires = Date.parse(first.body.expiresAt)
    expect(expires).toBeGreaterThanOrEqual(before + 3_600_000)
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000)
    expect((await patch(A.token)).body.error).toMatchObject({ invalidToken: true })
    await patch(first.body.token).expect(204)

    const second = await request(url)
      .post(`/_emulator/installations/${A.id}/token`)
      .set(admin)
      .send({ graceSeconds: 0.3 })
      .expect(201)
    await patch(first.body.token).expect(204)
    await patch(second.body.token).expect(204)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect((await patch(first.body.token)).body.error).toMatchObject({ invalidToken: true })
    await patch(second.body.token).expect(204)
    // The other installation's token is untouched.
    await request(url).patch(`/v1/installations/${B.id}`).set(bearer(B.token)).send({}).expect(204)
  })

  it("refuses an unknown installation, a bad graceSeconds, and a caller without the admin token", async () => {
    const { url } = await start()
    const issue = (id: string) => request(url).post(`/_emulator/installations/${id}/token`)
    expect((await issue("icfg_ghost").set(admin)).status).toBe(404)
    for (const body of [{ graceSeconds: -1 }, { graceSeconds: "10" }, [1]]) {
      const res = await issue(A.id).set(admin).send(body)
      expect(res.status).toBe(400)
      expect(res.body.error.message).toMatch(/graceSeconds|body/)
    }
    expect((await issue(A.id).set(bearer(A.token))).body.error).toMatchObject({ invalidToken: true })
    expect((await issue(A.id)).body.error).toMatchObject({ missingToken: true })
    await request(url).patch(`/v1/installations/${A.id}`).set(bearer(A.token)).send({}).expect(204)
  })
})

describe("inspection API: rate limit and chaos at run time", () => {
  it("sets, reads and turns off the rate limit; buckets are per token and per endpoint", async () => {
    const { url } = await start()
    expect((await request(url).get("/_emulator/rate-limit").set(admin)).body).toEqual({ rateLimit: null })
    const set = await request(url)
      .put("/_emulator/rate-limit")
      .set(admin)
      .send({ requestsPerSecond: 0.01, burst: 1, retryAfter: false })
      .expect(200)
    expect(set.body).toEqual({ rateLimit: { requestsPerSecond: 0.01, burst: 1, retryAfter: false } })
    const patch = (token: string) =>
      request(url).patch(`/v1/installations/${A.id}`).set(bearer(token)).send({})
    const event = (token: string) =>
      request(url)
        .post(`/v1/installations/${A.id}/events`)
        .set(bearer(token))
        .send({ event: { type: "installation.updated" } })
    const ok = await patch(A.token).expect(204)
    expect(ok.headers["x-ratelimit-limit"]).toBe("1")
    expect(ok.headers["x-ratelimit-remaining"]).toBe("0")
    const limited = await patch(A.token)
    expect(limited.status).toBe(429)
    expect(limited.headers["retry-after"]).toBeUndefined()
    expect(Number(limited.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000)
    expect(limited.body.error).toMatchObject({
      code: "rate_limited",
      limit: { remaining: 0, total: 1, reset: Number(limited.headers["x-ratelimit-reset"]) }
    })
    // Another endpoint, and another token, have buckets of their own.
    await event(A.token).expect(201)
    expect((await event(A.token)).status).toBe(429)
    expect((await patch(B.token)).status).toBe(403)

    await request(url)
      .put("/_emulator/rate-limit")
      .set(admin)
      .send({ requestsPerSecond: 0.01, burst: 1 })
      .expect(200)
    await patch(A.token).expect(204)
    const withHeader = await patch(A.token)
    expect(withHeader.status).toBe(429)
    expect(Number(withHeader.headers["retry-after"])).toBeGreaterThan(1)

    for (const bad of [{ requestsPerSecond: "5" }, { requestsPerSecond: 5, burst: 0 }, { retryAfter: 1 }]) {
      const res = await request(url).put("/_emulator/rate-limit").set(admin).send(bad)
      expect(res.status).toBe(400)
      expect(res.body.error.message).toMatch(/rateLimit\./)
    }
    await request(url).delete("/_emulator/rate-limit").set(admin).expect(204)
    const free = await patch(A.token).expect(204)
    expect(free.headers["x-ratelimit-limit"]).toBeUndefined()
  })

  it("sets, reads and turns off chaos; the request log marks injected faults", async () => {
    const { url, emulator } = await start()
    await request(url).put("/_emulator/chaos").set(admin).send({ seed: 7, errorRate: 1 }).expect(200)
    expect((await request(url).get("/_emulator/chaos").set(admin)).body).toEqual({
      chaos: { seed: 7, errorRate: 1 }
    })
    const failed = await request(url).patch(`/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    expect([500, 502, 503]).toContain(failed.status)
    expect(emulator.state.sequence).toBe(0)
    expect(emulator.requests.list().at(-1)).toMatchObject({ chaos: "error", status: failed.status })
    const bad = await request(url).put("/_emulator/chaos").set(admin).send({ seed: 1, errorRate: "0.5" })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/chaos\.errorRate/)
    await request(url).delete("/_emulator/chaos").set(admin).expect(204)
    expect(emulator.chaos).toBeUndefined()
    await request(url).patch(`/v1/installations/${A.id}`).set(bearer(A.token)).send({}).expect(204)
  })
})
