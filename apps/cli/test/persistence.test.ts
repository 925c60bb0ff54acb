import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { Agent, request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type Served, serve } from "./support/Serve.js"

const A = { id: "icfg_disk", token: "tok_disk" }
const ADMIN = "disk_admin"
const bearer = { Authorization: `Bearer ${A.token}` }

describe("an emulator killed with SIGKILL mid-stream", () => {
  let child: Served | undefined
  afterEach(async () => {
    await child?.stop("SIGKILL")
  })

  it("loses no acknowledged write, and the next start takes over the dead process's lock", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mkit-kill-"))
    const seed = join(dir, "seed.json")
    const dataFile = join(dir, "data.jsonl")
    writeFileSync(seed, JSON.stringify({ installations: [A] }))
    const args = ["--port", "0", "--seed", seed, "--data", dataFile, "--admin-token", ADMIN]
    child = await serve(args, "mkit-emulator")
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
    // The dead process's lock is still there; the next start must take it over.
    expect(readFileSync(`${dataFile}.lock`, "utf8").trim()).toBe(String(child.child.pid))

    child = await serve(args)
    await expect
      .poll(() => child!.lines.some((line) => /^data file: .* writes replayed\)$/.test(line)))
      .toBe(true)
    const res = await fetch(`${child.url}/_emulator/events?limit=10000`, {
      headers: { authorization: `Bearer ${ADMIN}` }
    })
    const { events } = (await res.json()) as {
      events: Array<{ sequence: number; body?: { externalId?: string }; event?: { resourceId?: string } }>
    }
    expect(child.lines).toContain(`data file: ${dataFile} (${events.length} writes replayed)`)
    const markers = events.map((entry) => entry.body?.externalId ?? entry.event?.resourceId)
    expect(new Set(markers).size).toBe(markers.length)
    for (const marker of acknowledged) expect(markers).toContain(marker)
    const sequences = events.map((entry) => entry.sequence)
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
    expect(readFileSync(dataFile, "utf8").endsWith("\n")).toBe(true)
  }, 30_000)
})
