import { execFileSync, spawnSync } from "node:child_process"
import {
  appendFileSync,
  closeSync,
  existsSync,
  fdatasyncSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import supertest from "supertest"
import { afterEach, describe, expect, it } from "vitest"
import { Journal, type JournalIo, type PendingEntry } from "../src/emulator/Journal.js"
import type { LogEntry } from "../src/emulator/State.js"
import { createEmulator, type EmulatorServer, emulatorBanner, startEmulatorServer } from "../src/index.js"
import { listen } from "./support/listen.js"

const A = { id: "icfg_disk", token: "tok_disk" }
const ADMIN = "disk_admin"
const bearer = { Authorization: `Bearer ${A.token}` }

const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), "mkit-data-")), name)
const good = (sequence: number) =>
  `${JSON.stringify({ sequence, at: "2026-01-01T00:00:00.000Z", requestId: "r", installationId: A.id, operation: "updateInstallation", body: {} })}\n`

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
    const torn = '{"sequence":2,"at":"2026-01-01T00:00:00Z","requestId":"x","installationId":"icfg_di'
    appendFileSync(dataFile, torn)

    const second = await start(dataFile)
    expect(second.emulator.state.sequence).toBe(1)
    expect(second.emulator.dataFile).toEqual({
      path: dataFile,
      replayed: 1,
      cut: { bytes: torn.length, reason: expect.stringMatching(/^the last entry is incomplete/) }
    })
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

  it("keeps a complete last entry without its newline, and appends after it on a line of its own", async () => {
    const dataFile = tempFile("no-newline.jsonl")
    writeFileSync(dataFile, good(1).trimEnd())
    const first = await start(dataFile)
    expect(first.emulator.dataFile).toEqual({ path: dataFile, replayed: 1 })
    expect(first.emulator.state.events()).toEqual([expect.objectContaining({ sequence: 1 })])
    await supertest(first.url).patch(`/v1/installations/${A.id}`).set(bearer).send({}).expect(204)
    await first.close()
    expect(
      readFileSync(dataFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line).sequence)
    ).toEqual([1, 2])
  })

  it("counts the entries it replays, whatever their sequence numbers", async () => {
    const dataFile = tempFile("gaps.jsonl")
    writeFileSync(dataFile, `${good(3)}${good(7)}${good(8)}`)
    const server = await start(dataFile)
    expect(server.emulator.dataFile?.replayed).toBe(3)
    expect(server.emulator.state.sequence).toBe(8)
    expect(emulatorBanner(server, { adminTokenGiven: true })).toContain(
      `data file: ${dataFile} (3 writes replayed)`
    )
  })

  it("never modifies a file it refuses, and names its path", () => {
    const dataFile = tempFile("refused.jsonl")
    const text = `${good(1)}not json\n${good(2)}{"sequence":3,"at":"2026-01-01T00:00:0`
    writeFileSync(dataFile, text)
    expect(() => createEmulator({ installations: [A], dataFile })).toThrow(
      `data file ${dataFile}, line 2: not JSON`
    )
    expect(readFileSync(dataFile, "utf8")).toBe(text)
    expect(existsSync(`${dataFile}.lock`)).toBe(false)
  })

  it("refuses a FIFO or a directory at once, naming the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkit-fifo-"))
    const fifo = join(dir, "data.fifo")
    execFileSync("mkfifo", [fifo])
    expect(() => createEmulator({ installations: [A], dataFile: fifo })).toThrow(
      `data file ${fifo}: not a regular file`
    )
    expect(() => createEmulator({ installations: [A], dataFile: dir })).toThrow(
      `data file ${dir}: not a regular file`
    )
    expect(statSync(fifo).isFIFO()).toBe(true)
  })

  it("lets one emulator at a time own a data file, and takes over the lock of a dead process", async () => {
    const dataFile = tempFile("locked.jsonl")
    const first = await start(dataFile)
    expect(readFileSync(`${dataFile}.lock`, "utf8").trim()).toBe(String(process.pid))
    expect(() => createEmulator({ installations: [A], dataFile })).toThrow(
      `data file ${dataFile} is in use by process ${process.pid} (this one)`
    )
    await supertest(first.url).patch(`/v1/installations/${A.id}`).set(bearer).send({}).expect(204)
    await first.close()
    expect(existsSync(`${dataFile}.lock`)).toBe(false)

    // A process that held the lock and died without releasing it (kill -9).
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))"
    ]).stdout.toString()
    writeFileSync(`${dataFile}.lock`, `${dead}\n`)
    const second = await start(dataFile)
    expect(second.emulator.dataFile?.replayed).toBe(1)
    expect(readFileSync(`${dataFile}.lock`, "utf8").trim()).toBe(String(process.pid))
  })

  it("refuses a corrupt line in the middle, naming it", () => {
    const dataFile = tempFile("corrupt.jsonl")
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

  it("answers 503 with Retry-After and applies nothing when a write cannot reach the data file", async () => {
    const emulator = createEmulator({ installations: [A], dataFile: tempFile("closed.jsonl") })
    const server = await listen(emulator.app())
    await emulator.close()
    const res = await supertest(server.url)
      .patch(`/v1/installations/${A.id}`)
      .set(bearer)
      .send({ status: "ready" })
    await server.close()
    expect(res.status).toBe(503)
    expect(res.headers["retry-after"]).toBe("1")
    expect(res.body.error.code).toBe("service_unavailable")
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

// A small real filesystem the test can fill: a tmpfs, where the machine lets us mount one (root).
const mountSmallDisk = (): { readonly dir: string; readonly unmount: () => void } | undefined => {
  const dir = mkdtempSync(join(tmpdir(), "mkit-full-"))
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir])
  if (mounted.status !== 0) return undefined
  // Lazy: detaches at once even if the kernel still counts a just-closed descriptor as busy.
  return { dir, unmount: () => execFileSync("umount", ["-l", dir]) }
}

// Fills a filesystem until the next write fails with ENOSPC.
const fill = (path: string) => {
  const fd = openSync(path, "w")
  try {
    for (;;) writeSync(fd, Buffer.alloc(1024, 0x61))
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC")
  } finally {
    closeSync(fd)
  }
}

const completeLines = (path: string) => {
  const text = readFileSync(path, "utf8")
  expect(text === "" || text.endsWith("\n")).toBe(true)
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogEntry)
}

describe("a full disk", () => {
  it("answers 503 with Retry-After and leaves no fragment; writes resume once there is room; a restart replays every acknowledged write", async () => {
    const disk = mountSmallDisk()
    if (disk === undefined) return injectedFullDisk()
    try {
      const dataFile = join(disk.dir, "data.jsonl")
      const acknowledged: Array<string> = []
      const first = await start(dataFile)
      const write = (marker: string) =>
        supertest(first.url).patch(`/v1/installations/${A.id}`).set(bearer).send({ externalId: marker })
      for (let n = 0; n < 5; n++) {
        await write(`before${n}`).expect(204)
        acknowledged.push(`before${n}`)
      }
      fill(join(disk.dir, "filler"))
      // The data file's last page may still hold a few entries; the first refused write ends the loop.
      let refused: supertest.Response | undefined
      for (let n = 0; n < 200 && refused === undefined; n++) {
        const res = await write(`full${n}`)
        if (res.status === 204) acknowledged.push(`full${n}`)
        else refused = res
      }
      expect(refused?.status).toBe(503)
      expect(refused?.headers["retry-after"]).toBe("1")
      expect(refused?.body).toStrictEqual({
        error: {
          code: "service_unavailable",
          message: "The emulator could not store the write in its data file (ENOSPC); retry later"
        }
      })
      expect(
        first.emulator.state
          .events()
          .map((e) => (e.operation === "updateInstallation" ? e.body.externalId : ""))
      ).toEqual(acknowledged)
      // No fragment of the refused write: only complete entries, exactly the acknowledged ones.
      expect(
        completeLines(dataFile).map((e) => (e.operation === "updateInstallation" ? e.body.externalId : ""))
      ).toEqual(acknowledged)
      expect((await write("still-full")).status).toBe(503)

      rmSync(join(disk.dir, "filler"))
      await write("after").expect(204)
      acknowledged.push("after")
      await first.close()
      servers = servers.filter((server) => server !== first)

      const second = await start(dataFile)
      expect(second.emulator.dataFile).toEqual({ path: dataFile, replayed: acknowledged.length })
      expect(
        second.emulator.state
          .events()
          .map((e) => (e.operation === "updateInstallation" ? e.body.externalId : ""))
      ).toEqual(acknowledged)
      expect(second.emulator.state.events().map((e) => e.sequence)).toEqual(acknowledged.map((_, i) => i + 1))
      await second.close()
      servers = servers.filter((server) => server !== second)
    } finally {
      disk.unmount()
    }
  })

  // The refusal waits for the fragment to be cut: a caller told "503" never finds part of its write in
  // the file (a slow truncate makes the order visible).
  it("cuts the fragment of a refused write before refusing it (an injected failing disk)", () =>
    injectedFullDisk())
})

// Where no tmpfs can be mounted: the same story through the data file with an injected failing disk
// (it writes half of what it is given, then fails with ENOSPC, like a filling disk).
const injectedFullDisk = async () => {
  const dataFile = tempFile("injected.jsonl")
  let full = false
  const io: JournalIo = {
    write: async (fd, data) => {
      if (!full) return void writeSync(fd, data)
      writeSync(fd, data.slice(0, Math.floor(data.length / 2)))
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" })
    },
    datasync: async (fd) => fdatasyncSync(fd),
    truncate: async (fd, size) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      ftruncateSync(fd, size)
    }
  }
  const entry = (marker: string): PendingEntry => ({
    at: new Date().toISOString(),
    requestId: marker,
    installationId: A.id,
    operation: "updateInstallation",
    body: { externalId: marker }
  })
  const first = Journal.open(dataFile, io)
  await first.journal.append(entry("a"))
  full = true
  await expect(first.journal.append(entry("refused"))).rejects.toMatchObject({ code: "ENOSPC" })
  expect(completeLines(dataFile).map((e) => e.requestId)).toEqual(["a"])
  full = false
  expect(await first.journal.append(entry("b"))).toMatchObject({ sequence: 2, requestId: "b" })
  await first.journal.close()
  const second = Journal.open(dataFile)
  expect(second.entries.map((e) => [e.sequence, e.requestId])).toEqual([
    [1, "a"],
    [2, "b"]
  ])
  await second.journal.close()
}
