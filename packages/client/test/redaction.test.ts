import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { vercelError } from "@marketplace-kit/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import { createMarketplaceClient, type MarketplaceError, type MarketplaceErrorTag } from "../src/index.js"
import { clientFor, ID, TOKEN } from "./support/fixtures.js"
import { recordingTracer } from "./support/RecordingTracer.js"
import { type Recorded, refusedPort, startServer, testServer } from "./support/TestServer.js"

// A hostile or careless server that echoes the credentials it was sent into everything it returns.
const echo = (status: number) => (request: Recorded) => ({
  status,
  headers: { "x-vercel-id": `iad1::${request.headers.authorization}` },
  body: vercelError("echo", `you sent ${request.headers.authorization}`)
})

const renderings = (error: unknown) => [
  String(error),
  JSON.stringify(error),
  (error as Error).message,
  (error as Error).stack ?? "",
  Cause.pretty(Cause.fail(error)),
  inspect(error, { depth: 20, showHidden: true })
]

const allTags: ReadonlyArray<MarketplaceErrorTag> = [
  "ValidationError",
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "RateLimited",
  "ClientError",
  "ServerError",
  "TransportError",
  "Timeout"
]

const echoedStatuses = [400, 401, 403, 404, 429, 409, 500]

const expectNoToken = (errors: ReadonlyArray<MarketplaceError>) => {
  expect(errors.map((error) => error._tag).sort()).toEqual([...allTags].sort())
  for (const error of errors) {
    for (const text of renderings(error)) {
      expect(text).toContain(error._tag === "ValidationError" ? error.issues[0]?.path : error.path)
      expect(text).not.toContain(TOKEN)
    }
    if (error.status !== undefined) {
      expect(error.body?.message).toBe("you sent Bearer <redacted>")
      expect(error.requestId).toBe("iad1::Bearer <redacted>")
    }
  }
}

describe("the token never shows", () => {
  it.scopedLive(
    "in any error class of the Effect API: String, JSON, message, stack, Cause.pretty, inspect",
    () =>
      Effect.gen(function* () {
        const errors: Array<MarketplaceError> = []
        for (const status of echoedStatuses) {
          const server = yield* testServer(echo(status))
          const client = yield* clientFor(server.url, { retry: false })
          errors.push(yield* Effect.flip(client.updateInstallation(ID, { status: "ready" })))
        }
        const hanging = yield* testServer([{ hang: true }])
        errors.push(
          yield* Effect.flip(
            (yield* clientFor(hanging.url, { timeout: 20, retry: false })).installationUpdated(ID)
          )
        )
        const port = yield* Effect.promise(refusedPort)
        errors.push(
          yield* Effect.flip((yield* clientFor(`http://127.0.0.1:${port}`)).installationUpdated(ID))
        )
        errors.push(
          yield* Effect.flip((yield* clientFor(hanging.url)).updateInstallation(ID, { status: "x" as never }))
        )
        expectNoToken(errors)
      })
  )

  it("in any error class the Promise facade rejects with", async () => {
    const servers = await Promise.all(echoedStatuses.map((status) => startServer(echo(status))))
    const hanging = await startServer([{ hang: true }])
    try {
      const errors: Array<MarketplaceError> = []
      const capture = (promise: Promise<void>) =>
        promise.then(
          () => expect.unreachable("the call should fail"),
          (error: MarketplaceError) => void errors.push(error)
        )
      for (const server of servers) {
        const client = createMarketplaceClient({ token: TOKEN, baseUrl: server.url, retry: false })
        await capture(client.createEvent(ID, { type: "installation.updated" }))
      }
      const slow = createMarketplaceClient({
        token: TOKEN,
        baseUrl: hanging.url,
        retry: false,
        timeoutMs: 20
      })
      await capture(slow.resourceUpdated(ID, "res_1"))
      const refused = createMarketplaceClient({
        token: TOKEN,
        baseUrl: `http://127.0.0.1:${await refusedPort()}`,
        retry: { baseDelay: 1 }
      })
      await capture(refused.clearNotification(ID))
      await capture(refused.setNotification(ID, { level: "info", title: "" }))
      expectNoToken(errors)
    } finally {
      await Promise.all([...servers, hanging].map((server) => server.close()))
    }
  })

  it.scopedLive("in log lines, at every level, including a logged failure cause", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const capture = Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
      const server = yield* testServer((request, index) => echo(index < 2 ? 503 : 401)(request))
      const client = yield* clientFor(server.url)
      yield* client
        .updateInstallation(ID, { status: "ready" })
        .pipe(
          Effect.tapErrorCause(Effect.logError),
          Effect.ignore,
          Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
          Logger.withMinimumLogLevel(LogLevel.All)
        )
      expect(lines.filter((line) => /attempt \d failed/.test(line))).toHaveLength(3)
      expect(lines.some((line) => line.includes("Unauthorized"))).toBe(true)
      for (const line of lines) expect(line).not.toContain(TOKEN)
    })
  )

  it.scopedLive(
    "in spans: the call's carries installation id, attempts and status; each attempt has one",
    () =>
      Effect.gen(function* () {
        const { tracer, spans } = recordingTracer()
        const server = yield* testServer((request, index) =>
          index === 0 ? echo(503)(request) : { status: 204 }
        )
        const client = yield* clientFor(server.url)
        yield* client.updateInstallation(ID, { status: "ready" }).pipe(Effect.withTracer(tracer))
        const [call, ...others] = spans.filter((span) => span.name === "MarketplaceClient.updateInstallation")
        expect(others).toEqual([])
        expect(Object.fromEntries(call?.attributes ?? [])).toEqual({
          "marketplace.operation": "updateInstallation",
          "marketplace.installation_id": ID,
          "marketplace.attempts": 2,
          "http.response.status_code": 204
        })
        const attempts = spans.filter((span) => span.parent._tag === "Some" && span.parent.value === call)
        expect(attempts.map((span) => [span.name, ...span.attributes.values()])).toEqual([
          ["MarketplaceClient.attempt", "PATCH", `${server.url}/v1/installations/${ID}`, 1, 503],
          ["MarketplaceClient.attempt", "PATCH", `${server.url}/v1/installations/${ID}`, 2, 204]
        ])
        expect(spans).toHaveLength(3)
        for (const span of spans) {
          const exported = JSON.stringify({
            name: span.name,
            attributes: [...span.attributes].map(([key, value]) => [key, String(value)]),
            events: span.events,
            exit: span.status._tag === "Ended" ? String(span.status.exit) : ""
          })
          expect(exported).not.toContain(TOKEN)
        }
      })
  )

  it.scopedLive("in the span of a failed call, whose exit holds the error", () =>
    Effect.gen(function* () {
      const { tracer, spans } = recordingTracer()
      const server = yield* testServer(echo(403))
      const client = yield* clientFor(server.url)
      yield* Effect.ignore(client.resourceUpdated(ID, "res").pipe(Effect.withTracer(tracer)))
      const call = spans.find((span) => span.name === "MarketplaceClient.createEvent")
      expect(call?.attributes.get("http.response.status_code")).toBe(403)
      expect(call?.status._tag === "Ended" && Cause.pretty(Cause.fail(call.status.exit))).not.toContain(TOKEN)
      expect(call?.status._tag === "Ended" && String(call.status.exit)).toContain("Forbidden")
    })
  )
})

// The token as a JSON string would spell it with every character (or only some) as a \u escape.
const escapedFully = (token: string) =>
  [...token].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
const escapedMixed = (token: string) =>
  [...token]
    .map((char, i) =>
      i % 2 === 0 ? `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}` : char
    )
    .join("")

// A raw JSON body (a string, so the escapes reach the client as written) echoing the token.
const escapedEcho = (token: string, spell: (token: string) => string) => () => ({
  status: 404,
  headers: { "content-type": "application/json" },
  body: `{"error":{"code":"not_found","message":"no installation for ${spell(token)}","echo":{"deep":["${spell(token)}"]}}}`
})

describe("echoes of the token in any JSON spelling are scrubbed", () => {
  it.scopedLive.each([
    { spelling: "every character \\u-escaped", spell: escapedFully },
    { spelling: "some characters \\u-escaped (upper-case hex)", spell: escapedMixed }
  ])("$spelling: not in message, body, JSON or logs", ({ spell }) =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const capture = Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
      const server = yield* testServer(escapedEcho(TOKEN, spell))
      const client = yield* clientFor(server.url, { retry: false })
      const error = yield* Effect.flip(client.updateInstallation(ID, { status: "ready" })).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      expect(error.body).toEqual({
        code: "not_found",
        message: "no installation for <redacted>",
        echo: { deep: ["<redacted>"] }
      })
      expect(lines).toHaveLength(1)
      for (const text of [...renderings(error), ...lines]) {
        expect(text).not.toContain(TOKEN)
        expect(text).not.toContain(spell(TOKEN))
      }
    })
  )
})

describe("scrubbing never corrupts server text", () => {
  const notFound = { status: 404, body: vercelError("not_found", "no such installation") }

  it.scopedLive("a token shorter than 8 characters (here `t`) leaves the text intact", () =>
    Effect.gen(function* () {
      const server = yield* testServer([notFound])
      const client = yield* clientFor(server.url, { token: Redacted.make("t"), retry: false })
      const error = yield* Effect.flip(client.updateInstallation(ID, {}))
      expect(error.code).toBe("not_found")
      expect(error.body?.message).toBe("no such installation")
      expect(error.message).toBe(
        `PATCH /v1/installations/${ID} → 404 not_found: no such installation (1 attempt)`
      )
    })
  )

  it.scopedLive("both sides of the rule: 7 characters are not scrubbed, 8 are", () =>
    Effect.gen(function* () {
      const server = yield* testServer(echo(400))
      const seven = yield* clientFor(server.url, { token: Redacted.make("abc1234"), retry: false })
      expect((yield* Effect.flip(seven.installationUpdated(ID))).body?.message).toBe(
        "you sent Bearer abc1234"
      )
      const eight = yield* clientFor(server.url, { token: Redacted.make("abc12345"), retry: false })
      const error = yield* Effect.flip(eight.installationUpdated(ID))
      expect(error.body?.message).toBe("you sent Bearer <redacted>")
      expect(error.requestId).toBe("iad1::Bearer <redacted>")
    })
  )

  it.scopedLive("text around a long token's echo is kept as it was", () =>
    Effect.gen(function* () {
      const server = yield* testServer((request) => ({
        status: 400,
        body: vercelError("bad_request", `a${request.headers.authorization?.slice(7)}b not_found \\u0041`)
      }))
      const client = yield* clientFor(server.url, { retry: false })
      const error = yield* Effect.flip(client.installationUpdated(ID))
      expect(error.body?.message).toBe("a<redacted>b not_found \\u0041")
      expect(error.code).toBe("bad_request")
    })
  )
})
