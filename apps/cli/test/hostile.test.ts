import { once } from "node:events"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, test } from "vitest"
import { INSTALLATION, TOKEN } from "./support/Emulator.js"
import { mkit } from "./support/Mkit.js"

// Real servers on 127.0.0.1 that answer what no honest upstream would.
const servers: Array<Server> = []
const serve = async (handler: Parameters<typeof createServer>[1]) => {
  const server = createServer(handler)
  servers.push(server)
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
})

const ESC = "\x1b"

describe("text from a hostile upstream", () => {
  test("control characters in code, message and request id are printed escaped, with and without --verbose", async () => {
    let hits = 0
    const { url } = await serve((req, res) => {
      hits++
      req.resume()
      res.writeHead(500, { "content-type": "application/json", "x-vercel-id": "iad1::\x9b2Jpwned" })
      res.end(
        JSON.stringify({
          error: { code: "boom\x1b[2J", message: "done\r\x1b[1A\x1b[Koverwritten\u202e" }
        })
      )
    })
    const env = { VERCEL_API_URL: url, VERCEL_TOKEN: TOKEN }
    const plain = await mkit(
      ["installation", "update", INSTALLATION, "--status", "ready", "--retries", "0"],
      {
        env
      }
    )
    const verbose = await mkit(
      [
        "installation",
        "update",
        INSTALLATION,
        "--status",
        "ready",
        "--retries",
        "1",
        "--retry-delay",
        "1ms",
        "--verbose"
      ],
      { env }
    )
    expect(hits).toBe(3)
    for (const result of [plain, verbose]) {
      expect(result.code).toBe(6)
      expect(result.stderr).not.toContain(ESC)
      expect(result.stderr).not.toContain("\r")
      expect(result.stderr).not.toContain("\x9b")
      expect(result.stderr).not.toContain("\u202e")
      expect(result.stderr).toContain("boom\\x1b[2J: done\\r\\x1b[1A\\x1b[Koverwritten\\u202e")
      expect(result.stderr).toContain("request id iad1::\\x9b2Jpwned")
    }
    // --verbose: each failed attempt once, and none of the runtime's noise about failed fibers.
    expect(verbose.stderr.match(/attempt \d failed/g)).toEqual(["attempt 1 failed", "attempt 2 failed"])
    expect(verbose.stderr).not.toContain("Fiber terminated")
  })

  test("a redirect is never followed over the CLI's transport: the call fails, the target sees nothing", async () => {
    let targetHits = 0
    const target = await serve((req, res) => {
      targetHits++
      req.resume()
      res.writeHead(204)
      res.end()
    })
    const { url } = await serve((req, res) => {
      req.resume()
      res.writeHead(303, { location: `${target.url}/v1/installations/${INSTALLATION}` })
      res.end()
    })
    const result = await mkit(["installation", "update", INSTALLATION, "--status", "ready", "--json"], {
      env: { VERCEL_API_URL: url, VERCEL_TOKEN: TOKEN }
    })
    expect(result.code).not.toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      error: { type: "ClientError", status: 303, attempts: 1 }
    })
    expect(targetHits).toBe(0)
  })
})
