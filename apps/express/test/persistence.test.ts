import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { Agent, request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import supertest from "supertest"
import { afterEach, describe, expect, it } from "vitest"
import { createEmulator, type EmulatorServer, startEmulatorServer } from "../src/index.js"
import { type ChildEmulator, startServer } from "./support/child.js"
import { listen } from "./support/listen.js"

const A = { id: "icfg_disk", token: "tok_disk" }
const ADMIN = "disk_admin"
const bearer = { Authorization: `Bearer ${A.token}` }

const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), "mkit-data-")), name)

let servers: Array<EmulatorServer> = []
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()))
  servers = []
})
const start = async (dataFile: string) => {
  const server = await startEmulatorServer({ installations: [A], adminToken: ADMIN, dataFile })
  servers.push(server)
  return server
}

describe("emulator data file", () => {
  it("replays acknowledged writes on start, and keeps counting sequences", async () => {
    const dataFile = tempFile("data.jsonl")
    const first = await start(dataFile)
    await supertest(first.url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer)
      .send({
        billingPlan: { id: "p", type: "prepayment", name: "P" },
        notification: "hello",
        status: "ready"
      })
      .expect(204)
    await supertest(first.url)
      .post(`/v1/installations/${A.id}/events`)
      .set(bearer)
      .send({ event: { type: "resource.updated", resourceId: "r1" } })
      .expect(201)
    await supertest(first.url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer)
      .send({ notification: null })
      .expect(204)
    const state = first.emulator.state.installation(A.id)
    const log = first.emulator.state.events()
    await first.close()

    const second = await start(dataFile)
    expect(second.emulator.state.installation(A.id)).toEqual(state)
    expect(second.emulator.state.events()).toEqual(log)
    await supertest(second.url).patch(`/v1/installations/${A.id}`).set(bearer).send({}).expect(204)
    expect(second.emulator.state.sequence).toBe(4)
  })

  it("cuts off a torn last line and appends cleanly after it", async () => {
    const dataFile = tempFile("torn.jsonl")
    const first = await start(dataFile)
    await supertest(first.url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer)
      .send({ externalId: "kept" })
      .expect(204)
    await first.close()
    appendFileSync(
      dataFile,
      '{"sequence":2,"at":"2026-01-01T00:00:00Z","requestId":"x","installationId":"icfg_di'
    )

    const second = await start(dataFile)
    expect(second.emulator.state.sequence).toBe(1)
    expect(readFileSync(dataFile, "utf8").endsWith("\n")).toBe(true)
    await supertest(second.url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer)
      .send({ externalId: "after" })
      .expect(204)
    await second.close()

    const third = createEmulator({ installations: [A], dataFile })
    expect(
      third.state.events().map((e) => (e.operation === "updateInstallation" ? e.body.externalId : ""))
    ).toEqual(["kept", "after"])
    await third.close()
  })

  it("refuses a corrupt line in the middle, naming it", () => {
    const dataFile = tempFile("corrupt.jsonl")
    const good = (sequence: number) =>
      `${JSON.stringify({ sequence, at: "2026-01-01T00:00:00.000Z", requestId: "r", installationId: A.id, operation: "updateInstallation", body: {} })}\n`
    writeFileSync(dataFile, `${good(1)}not json\n${good(2)}`)
    expect(() => createEmulator({ installations: [A], dataFile })).toThrow(/corrupt\.jsonl, line 2: not JSON/)
    writeFileSync(
      dataFile,
      `${good(1)}${JSON.stringify({ sequence: 2, at: "t", requestId: "r", installationId: A.id, operation: "updateInstallation", body: { status: "bogus" } })}\n`
    )
    expect(() => createEmulator({ installations: [A], dataFile })).toThrow(/line 2: body: status: expected/)
    writeFileSync(dataFile, `${good(2)}${good(1)}`)
    expect(() => createEmulator({ installations: [A], dataFile })).toThrow(
      /line 2: sequence 1 is not increasing/
    )
  })

  it("answers 500 and applies nothing when a write cannot reach the data file", async () => {
    const emulator = createEmulator({ installations: [A], dataFile: tempFile("closed.jsonl") })
    const server = await listen(emulator.app())
    await emulator.close()
    const res = await supertest(server.url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer)
      .send({ status: "ready" })
    await server.close()
    expect(res.status).toBe(500)
    expect(res.body.error.code).toBe("internal_server_error")
    expect(emulator.state.sequence).toBe(0)
    expect(emulator.state.installation(A.id)).toEqual({ id: A.id })
  })

  it("empties the data file on reset", async () => {
    const dataFile = tempFile("reset.jsonl")
    const first = await start(dataFile)
    await supertest(first.url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer)
      .send({ externalId: "gone" })
      .expect(204)
    await supertest(first.url)
      .post("/_emulator/reset")
      .set({ Authorization: `Bearer ${ADMIN}` })
      .expect(204)
    await supertest(first.url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer)
      .send({ externalId: "fresh" })
      .expect(204)
    await first.close()
    const second = await start(dataFile)
    expect(second.emulator.state.events()).toEqual([
      expect.objectContaining({ sequence: 1, body: { externalId: "fresh" } })
    ])
  })
})

describe("a child emulator killed with SIGKILL mid-stream", () => {
  let child: ChildEmulator | undefined
  afterEach(() => {
    child?.child.kill("SIGKILL")
  })

  it("loses no acknowledged write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mkit-kill-"))
    const seed = join(dir, "seed.json")
    const dataFile = join(dir, "data.jsonl")
    writeFileSync(seed, JSON.stringify({ installations: [A] }))
    const args = ["--port", "0", "--seed", seed, "--data", dataFile, "--admin-token", ADMIN]
    child = await startServer(args)
    const { port } = new URL(child.url)
    const agent = new Agent({ keepAlive: true, maxSockets: 8 })

    // One write: odd numbers are events, even ones updates; each carries a unique marker.
    const write = (n: number) =>
      new Promise<boolean>((resolve) => {
        const event = n % 2 === 1
        const body = JSON.stringify(
          event ? { event: { type: "resource.updated", resourceId: `m${n}` } } : { externalId: `m${n}` }
        )
        const req = request(
          {
            host: "127.0.0.1",
            port,
            agent,
            method: event ? "POST" : "PATCH",
            path: `/v1/installations/${A.id}${event ? "/events" : ""}`,
            headers: {
              ...bearer,
              "content-type": "application/json",
              "content-length": Buffer.byteLength(body)
            }
          },
          (res) => {
            res.resume()
            res.on("end", () => resolve(res.statusCode === (event ? 201 : 204)))
            res.on("error", () => resolve(false))
          }
        )
        req.on("error", () => resolve(false))
        req.end(body)
      })

    const acknowledged: Array<string> = []
    let next = 0
    let killed = false
    const writer = async () => {
      while (next < 5000) {
        const n = next++
        if (await write(n)) acknowledged.push(`m${n}`)
        else if (killed) return
        if (acknowledged.length >= 150 && !killed) {
          killed = true
          child!.child.kill("SIGKILL")
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, writer))
    expect(killed).toBe(true)
    expect((await child.exited).signal).toBe("SIGKILL")
    agent.destroy()

    child = await startServer(args)
    await expect
      .poll(() => child!.lines.some((line) => /^data file: .* writes replayed\)$/.test(line)))
      .toBe(true)
    const res = await fetch(`${child.url}/_emulator/events?limit=10000`, {
      headers: { authorization: `Bearer ${ADMIN}` }
    })
    const { events } = (await res.json()) as {
      events: Array<{ sequence: number; body?: { externalId?: string }; event?: { resourceId?: string } }>
    }
    const markers = events.map((entry) => entry.body?.externalId ?? entry.event?.resourceId)
    expect(new Set(markers).size).toBe(markers.length)
    for (const marker of acknowledged) expect(markers).toContain(marker)
    const sequences = events.map((entry) => entry.sequence)
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
    expect(readFileSync(dataFile, "utf8").endsWith("\n")).toBe(true)
  }, 30_000)
})
