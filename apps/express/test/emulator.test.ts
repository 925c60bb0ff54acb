import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import request from "supertest"
import { describe, expect, it } from "vitest"
import { createEmulator, DEMO_SEED } from "../src/index.js"
import { A, ADMIN, B, bearer, emulatorStarter, INVALID_TOKEN, MISSING_TOKEN } from "./support/Emulators.js"
import { vercelErrorOf } from "./support/listen.js"

const plan = {
  id: "plan_pro",
  type: "subscription",
  name: "Pro",
  cost: "$20",
  details: [{ label: "Seats", value: "5" }]
}

const start = emulatorStarter()

describe("emulator: auth like Vercel", () => {
  it("403 missingToken without a usable bearer, 403 for a token that is not the installation's, 404 for an unknown one", async () => {
    const { url } = await start()
    const patch = (id: string, headers: Record<string, string>) =>
      request(url).patch(`/v1/installations/${id}`).set(headers).send({ status: "ready" })
    const event = (id: string, headers: Record<string, string>) =>
      request(url)
        .post(`/v1/installations/${id}/events`)
        .set(headers)
        .send({ event: { type: "installation.updated" } })
    const missing = MISSING_TOKEN
    const invalid = INVALID_TOKEN
    for (const call of [patch, event]) {
      for (const headers of [
        {} as Record<string, string>,
        { Authorization: "Basic dG9rX2FscGhh" },
        { Authorization: "Bearer " },
        { Authorization: "tok_alpha" }
      ]) {
        const res = await call(A.id, headers)
        expect(res.status).toBe(403)
        expect(res.body).toStrictEqual(missing)
      }
      const wrong = await call(A.id, bearer("tok_nope"))
      expect(wrong.status).toBe(403)
      expect(wrong.body).toStrictEqual(invalid)
      const other = await call(A.id, bearer(B.token))
      expect(other.status).toBe(403)
      expect(other.body).toStrictEqual({ error: { code: "forbidden", message: "Not authorized" } })
      const unknown = await call("icfg_ghost", bearer(A.token))
      expect(unknown.status).toBe(404)
      expect(unknown.body.error.code).toBe("not_found")
      expect((await call("icfg_ghost", bearer("tok_nope"))).body).toStrictEqual(invalid)
      expect([204, 201]).toContain((await call(A.id, bearer(A.token))).status)
      expect([204, 201]).toContain((await call(A.id, { Authorization: `bearer   ${A.token}` })).status)
    }
  })

  it("checks auth before the body, and refused writes change nothing", async () => {
    const { url, emulator } = await start()
    const res = await request(url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer(B.token))
      .set("Content-Type", "application/json")
      .send("{broken")
    expect(res.status).toBe(403)
    expect(emulator.state.sequence).toBe(0)
    expect(emulator.state.installation(A.id)).toEqual({ id: A.id })
  })

  it("gives every answer an x-vercel-id", async () => {
    const { url } = await start()
    const ok = await request(url).patch(`/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    const denied = await request(url).patch(`/v1/installations/${A.id}`).send({})
    expect(ok.headers["x-vercel-id"]).toMatch(/^emu1::/)
    expect(denied.headers["x-vercel-id"]).toMatch(/^emu1::/)
    expect(ok.headers["x-vercel-id"]).not.toBe(denied.headers["x-vercel-id"])
  })
})

describe("emulator: PATCH semantics and the write log", () => {
  it("absent = unchanged, billingPlan replaces, notification null clears, status and externalId set", async () => {
    const { url, emulator } = await start()
    const patch = (body: object) =>
      request(url).patch(`/v1/installations/${A.id}`).set(bearer(A.token)).send(body).expect(204)
    await patch({
      billingPlan: { ...plan, custom: { tier: 2 } },
      notification: "Welcome",
      status: "ready",
      externalId: "x1"
    })
    expect(emulator.state.installation(A.id)).toMatchObject({
      billingPlan: { ...plan, custom: { tier: 2 } },
      notification: "Welcome",
      status: "ready",
      externalId: "x1"
    })
    await patch({})
    await patch({ billingPlan: { id: "plan_free", type: "prepayment", name: "Free" } })
    await patch({ notification: { level: "warn", title: "Quota", href: "https://example.com/q" } })
    expect(emulator.state.installation(A.id)).toMatchObject({
      billingPlan: { id: "plan_free", type: "prepayment", name: "Free" },
      notification: { level: "warn", title: "Quota", href: "https://example.com/q" },
      status: "ready",
      externalId: "x1"
    })
    expect(emulator.state.installation(A.id)?.billingPlan).not.toHaveProperty("cost")
    await patch({ notification: null, status: "suspended", externalId: "x2" })
    const after = emulator.state.installation(A.id)
    expect(after).not.toHaveProperty("notification")
    expect(after).toMatchObject({ status: "suspended", externalId: "x2" })
    expect(typeof after?.updatedAt).toBe("string")
    expect(emulator.state.installation(B.id)).toEqual({ id: B.id })
  })

  it("appends updates and events of both types to the log with increasing sequence numbers", async () => {
    const { url, emulator } = await start()
    const events = [
      { type: "installation.updated", billingPlanId: "plan_pro" },
      { type: "resource.updated", resourceId: "res_1" },
      { type: "resource.updated", resourceId: "res_2", productId: "prod_db" }
    ]
    for (const event of events) {
      await request(url)
        .post(`/v1/installations/${A.id}/events`)
        .set(bearer(A.token))
        .send({ event })
        .expect(201)
    }
    await request(url)
      .patch(`/v1/installations/${B.id}`)
      .set(bearer(B.token))
      .send({ status: "ready" })
      .expect(204)
    const log = emulator.state.events()
    expect(log.map((entry) => entry.sequence)).toEqual([1, 2, 3, 4])
    expect(log.filter((entry) => entry.operation === "createEvent").map((entry) => entry.event)).toEqual(
      events
    )
    expect(log[3]).toMatchObject({
      operation: "updateInstallation",
      installationId: B.id,
      body: { status: "ready" }
    })
    expect(emulator.state.events({ since: 2 }).map((entry) => entry.sequence)).toEqual([3, 4])
    expect(emulator.state.events({ installationId: B.id })).toHaveLength(1)
    expect(
      emulator.state.events({ operation: "createEvent", limit: 2 }).map((entry) => entry.sequence)
    ).toEqual([1, 2])
    expect(emulator.state.sequence).toBe(4)
  })

  it("hands out copies, so callers cannot change its state", async () => {
    const { url, emulator } = await start()
    await request(url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer(A.token))
      .send({ billingPlan: plan })
      .expect(204)
    const copy = emulator.state.installation(A.id) as { billingPlan: { name: string } }
    copy.billingPlan.name = "mutated"
    expect(emulator.state.installation(A.id)?.billingPlan?.name).toBe("Pro")
  })
})

describe("emulator: inspection API", () => {
  it("needs the admin token", async () => {
    const { url } = await start()
    const missing = await request(url).get("/_emulator/installations")
    expect(missing.status).toBe(403)
    expect(missing.body.error.missingToken).toBe(true)
    const wrong = await request(url).get("/_emulator/installations").set(bearer(A.token))
    expect(wrong.status).toBe(403)
    expect(vercelErrorOf(wrong.text)?.code).toBe("forbidden")
    expect((await request(url).post("/_emulator/reset").set(bearer("nope"))).status).toBe(403)
  })

  it("lists and gets installations, lists events since a sequence, and resets", async () => {
    const { url, emulator } = await start()
    const admin = bearer(ADMIN)
    await request(url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer(A.token))
      .send({ status: "ready" })
      .expect(204)
    await request(url)
      .post(`/v1/installations/${A.id}/events`)
      .set(bearer(A.token))
      .send({ event: { type: "resource.updated", resourceId: "r" } })
      .expect(201)
    const list = await request(url).get("/_emulator/installations").set(admin).expect(200)
    expect(list.body.installations.map((i: { id: string }) => i.id)).toEqual([A.id, B.id])
    expect(JSON.stringify(list.body)).not.toContain(A.token)
    const one = await request(url).get(`/_emulator/installations/${A.id}`).set(admin).expect(200)
    expect(one.body).toMatchObject({ id: A.id, status: "ready" })
    const missing = await request(url).get("/_emulator/installations/icfg_ghost").set(admin)
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe("not_found")
    const since = await request(url).get("/_emulator/events?since=1").set(admin).expect(200)
    expect(since.body.sequence).toBe(2)
    expect(since.body.events).toEqual([expect.objectContaining({ sequence: 2, operation: "createEvent" })])
    const filtered = await request(url)
      .get("/_emulator/events?operation=updateInstallation&limit=5")
      .set(admin)
    expect(filtered.body.events.map((e: { sequence: number }) => e.sequence)).toEqual([1])
    for (const bad of ["since=-1", "since=abc", "limit=100000", "operation=delete"]) {
      const res = await request(url).get(`/_emulator/events?${bad}`).set(admin)
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe("bad_request")
    }
    expect((await request(url).get("/_emulator/nope").set(admin)).status).toBe(404)

    await request(url).post("/_emulator/reset").set(admin).expect(204)
    expect(emulator.state.sequence).toBe(0)
    expect(emulator.state.installation(A.id)).toEqual({ id: A.id })
    await request(url).patch(`/v1/installations/${A.id}`).set(bearer(A.token)).send({}).expect(204)
    expect(emulator.state.events().map((entry) => entry.sequence)).toEqual([1])
  })
})

describe("emulator: seeds", () => {
  it("uses the demo seed when given none", async () => {
    const server = await start({ installations: undefined, adminToken: undefined })
    expect(server.emulator.usesDemoSeed).toBe(true)
    expect(server.emulator.installations).toEqual(DEMO_SEED.installations)
    expect(server.emulator.adminToken).toMatch(/^mkit_admin_[0-9a-f]{32}$/)
    const [first] = DEMO_SEED.installations
    await request(server.url)
      .patch(`/v1/installations/${first!.id}`)
      .set(bearer(first!.token))
      .send({ status: "ready" })
      .expect(204)
  })

  it("loads a seed file and merges it with installations given as options", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkit-seed-"))
    const file = join(dir, "seed.json")
    writeFileSync(file, JSON.stringify({ installations: [A] }))
    const emulator = createEmulator({ seedFile: file, installations: [B] })
    expect(emulator.usesDemoSeed).toBe(false)
    expect(emulator.state.installations().map((i) => i.id)).toEqual([A.id, B.id])
  })

  it("refuses a bad seed with a message naming the entry", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkit-seed-"))
    const write = (name: string, text: string) => {
      const file = join(dir, name)
      writeFileSync(file, text)
      return file
    }
    expect(() => createEmulator({ seedFile: write("a.json", "{nope") })).toThrow(/seed file .*a\.json/)
    expect(() => createEmulator({ seedFile: write("b.json", '{"installations":{}}') })).toThrow(
      /installations: expected an array/
    )
    expect(() =>
      createEmulator({ seedFile: write("c.json", '{"installations":[{"id":"a/b","token":"t"}]}') })
    ).toThrow(/installations\[0\]\.id: must not contain "\/"/)
    expect(() => createEmulator({ installations: [{ id: "icfg_1", token: "has space" }] })).toThrow(
      /installations\[0\]\.token/
    )
    expect(() => createEmulator({ installations: [A, A] })).toThrow(/installations\[1\]\.id: duplicate/)
    expect(() => createEmulator({ seedFile: join(dir, "missing.json") })).toThrow(/missing\.json/)
  })
})

describe("emulator: rate limit", () => {
  it("answers 429 with Retry-After, X-RateLimit-* and Vercel's rate_limited body once a token's bucket is empty", async () => {
    const { url, emulator } = await start({ rateLimit: { requestsPerSecond: 0.01, burst: 2 } })
    const patch = (token: string) =>
      request(url).patch(`/v1/installations/${A.id}`).set(bearer(token)).send({ externalId: "e" })
    const first = await patch(A.token)
    expect(first.status).toBe(204)
    expect(first.headers["x-ratelimit-limit"]).toBe("2")
    expect(first.headers["x-ratelimit-remaining"]).toBe("1")
    expect((await patch(A.token)).status).toBe(204)
    const limited = await patch(A.token)
    expect(limited.status).toBe(429)
    const retryAfter = Number(limited.headers["retry-after"])
    expect(retryAfter).toBeGreaterThanOrEqual(90)
    expect(retryAfter).toBeLessThanOrEqual(100)
    expect(limited.headers["x-ratelimit-remaining"]).toBe("0")
    const reset = Number(limited.headers["x-ratelimit-reset"])
    expect(reset).toBeGreaterThan(Date.now() / 1000)
    expect(limited.body).toEqual({
      error: {
        code: "rate_limited",
        message: expect.any(String),
        limit: { remaining: 0, reset, resetMs: expect.any(Number), total: 2 }
      }
    })
    expect(Math.ceil(limited.body.error.limit.resetMs / 1000)).toBe(reset)
    // Another token has its own bucket; the refused write was not applied.
    expect((await request(url).patch(`/v1/installations/${B.id}`).set(bearer(B.token)).send({})).status).toBe(
      204
    )
    expect(emulator.state.events({ installationId: A.id })).toHaveLength(2)
    // The inspection API is not rate limited.
    await request(url).get("/_emulator/installations").set(bearer(ADMIN)).expect(200)
  })
})

describe("emulator: chaos", () => {
  const statuses = async (url: string, count: number) => {
    const out: Array<number | string> = []
    for (let i = 0; i < count; i++) {
      try {
        const res = await fetch(`${url}/v1/installations/${A.id}`, {
          method: "PATCH",
          headers: { ...bearer(A.token), "content-type": "application/json" },
          body: JSON.stringify({ externalId: `w${i}` })
        })
        await res.arrayBuffer()
        out.push(res.status)
      } catch {
        out.push("dropped")
      }
    }
    return out
  }

  it("is deterministic: the same seed gives the same faults in the same order", async () => {
    const chaos = { seed: 42, errorRate: 0.3, dropRate: 0.1 }
    const first = await start({ chaos })
    const second = await start({ chaos })
    const a = await statuses(first.url, 40)
    const b = await statuses(second.url, 40)
    expect(a).toEqual(b)
    expect(a).toContain(204)
    expect(a).toContain("dropped")
    expect(a.some((status) => status === 500 || status === 502 || status === 503)).toBe(true)
    const other = await start({ chaos: { ...chaos, seed: 7 } })
    expect(await statuses(other.url, 40)).not.toEqual(a)
  })

  it("faults before a write is applied: only the writes answered 204 are in the log", async () => {
    const { url, emulator } = await start({ chaos: { seed: 3, errorRate: 0.4, dropRate: 0.2 } })
    const results = await statuses(url, 60)
    const acknowledged = results.flatMap((status, i) => (status === 204 ? [`w${i}`] : []))
    const logged = emulator.state
      .events()
      .map((entry) => (entry.operation === "updateInstallation" ? entry.body.externalId : ""))
    expect(logged).toEqual(acknowledged)
    expect(acknowledged.length).toBeLessThan(60)
  })

  it("answers chaos errors Vercel-shaped and marks them", async () => {
    const { url } = await start({ chaos: { seed: 1, errorRate: 1 } })
    const res = await request(url).patch(`/v1/installations/${A.id}`).set(bearer(A.token)).send({})
    expect([500, 502, 503]).toContain(res.status)
    expect(res.headers["x-mkit-chaos"]).toBe("error")
    expect(vercelErrorOf(res.text)).toBeDefined()
  })

  it("stalls a request until its connection is closed", async () => {
    const { url, emulator } = await start({ chaos: { seed: 1, stallRate: 1, stallMs: 50 } })
    await expect(
      fetch(`${url}/v1/installations/${A.id}`, {
        method: "PATCH",
        headers: { ...bearer(A.token), "content-type": "application/json" },
        body: "{}"
      })
    ).rejects.toThrow()
    expect(emulator.state.sequence).toBe(0)
  })

  it("refuses impossible chaos and rate-limit settings", () => {
    expect(() => createEmulator({ chaos: { seed: 1, errorRate: 1.5 } })).toThrow(/errorRate/)
    expect(() => createEmulator({ chaos: { seed: 1, errorRate: 0.6, dropRate: 0.6 } })).toThrow(
      /must not exceed 1/
    )
    expect(() => createEmulator({ chaos: { seed: 1, latencyMs: { min: 5, max: 1 } } })).toThrow(/latencyMs/)
    expect(() => createEmulator({ rateLimit: { requestsPerSecond: 0 } })).toThrow(/requestsPerSecond/)
    expect(() => createEmulator({ rateLimit: { requestsPerSecond: 1, burst: 0.5 } })).toThrow(/burst/)
  })
})
