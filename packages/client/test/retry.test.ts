import { describe, expect, it } from "@effect/vitest"
import { vercelError } from "@marketplace-kit/core"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import {
  createMarketplaceClient,
  RateLimited,
  Retry,
  ServerError,
  Timeout,
  TransportError
} from "../src/index.js"
import { clientFor, ID, TOKEN } from "./support/fixtures.js"
import { refusedPort, startServer, testServer, wasAborted } from "./support/TestServer.js"

const status = (code: number, headers: Record<string, string> = {}) => ({
  status: code,
  headers,
  body: vercelError(`status_${code}`, `status ${code}`)
})
const ok = { status: 204 }
const realPause = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

// Under TestClock, waits (in real time, as the client does real HTTP I/O) until the client is asleep
// with a deadline that `matches`; returns all pending deadlines.
const asleep = (matches: (deadline: number) => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000; i++) {
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
      if (sleeps.some(matches)) return sleeps
      yield* realPause(2)
    }
    return Chunk.toReadonlyArray(yield* TestClock.sleeps())
  })
const sleepingUntil = (deadline: number) => asleep((at) => at === deadline)

describe("which failures are retried", () => {
  it.scopedLive("503, 503, then 204 succeeds on the third attempt", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(503), status(503), ok])
      const client = yield* clientFor(server.url)
      yield* client.updateInstallation(ID, { status: "ready" })
      expect(server.requests).toHaveLength(3)
      expect(new Set(server.requests.map((request) => request.body))).toEqual(new Set(['{"status":"ready"}']))
    })
  )

  it.scopedLive("408, 429, 500, 502 and 504 are all retried", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(408), status(429), status(500), status(502), status(504), ok])
      const client = yield* clientFor(server.url, { retry: { maxAttempts: 6, baseDelay: 1, maxDelay: 5 } })
      yield* client.installationUpdated(ID)
      expect(server.requests).toHaveLength(6)
    })
  )

  it.scopedLive("a server that keeps failing gets 5 attempts by default, and the error says so", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(500, { "x-vercel-id": "iad1::last" })])
      const client = yield* clientFor(server.url)
      const error = yield* Effect.flip(client.updateInstallation(ID, {}))
      expect(error).toBeInstanceOf(ServerError)
      expect(error).toMatchObject({ attempts: 5, status: 500, code: "status_500", requestId: "iad1::last" })
      expect(error.message).toContain("5 attempts")
      expect(server.requests).toHaveLength(5)
    })
  )

  it.scopedLive("maxAttempts caps the attempts; retry: false sends once", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(503)])
      const three = yield* clientFor(server.url, { retry: { maxAttempts: 3, baseDelay: 1 } })
      expect((yield* Effect.flip(three.installationUpdated(ID))).attempts).toBe(3)
      expect(server.requests).toHaveLength(3)
      const once = yield* clientFor(server.url, { retry: false })
      expect((yield* Effect.flip(once.installationUpdated(ID))).attempts).toBe(1)
      expect(server.requests).toHaveLength(4)
    })
  )

  it.scopedLive.each([400, 401, 403, 404, 409, 422, 501])("%i is never retried", (code) =>
    Effect.gen(function* () {
      const server = yield* testServer([status(code), ok])
      const client = yield* clientFor(server.url)
      const error = yield* Effect.flip(client.createEvent(ID, { type: "installation.updated" }))
      expect(error).toMatchObject({ status: code, attempts: 1 })
      expect(server.requests).toHaveLength(1)
    })
  )
})

describe("Retry-After", () => {
  it.scoped("delta-seconds: the retry waits exactly that long (TestClock)", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(429, { "retry-after": "3" }), ok])
      const client = yield* clientFor(server.url)
      const call = yield* Effect.fork(client.updateInstallation(ID, {}))
      const sleeps = yield* sleepingUntil(3000)
      expect(sleeps).toContain(3000)
      expect(sleeps.filter((deadline) => deadline < 3000)).toEqual([])
      yield* TestClock.adjust("2999 millis")
      expect(server.requests).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(call)
      expect(server.requests).toHaveLength(2)
    })
  )

  it.scoped("HTTP-date: the retry waits until that date (TestClock)", () =>
    Effect.gen(function* () {
      const now = Date.parse("2026-03-01T12:00:00Z")
      yield* TestClock.setTime(now)
      const server = yield* testServer([status(429, { "retry-after": "Sun, 01 Mar 2026 12:00:08 GMT" }), ok])
      const client = yield* clientFor(server.url)
      const call = yield* Effect.fork(client.updateInstallation(ID, {}))
      const sleeps = yield* sleepingUntil(now + 8000)
      expect(sleeps).toContain(now + 8000)
      expect(sleeps.filter((deadline) => deadline < now + 8000)).toEqual([])
      yield* TestClock.adjust("8 seconds")
      yield* Fiber.join(call)
      expect(server.requests).toHaveLength(2)
    })
  )

  it.scoped("retry-after-ms is honoured and wins over a backoff that is shorter (TestClock)", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(429, { "retry-after-ms": "1500", "retry-after": "9" }), ok])
      const client = yield* clientFor(server.url)
      const call = yield* Effect.fork(client.createEvent(ID, { type: "resource.updated", resourceId: "r" }))
      expect(yield* sleepingUntil(1500)).toContain(1500)
      yield* TestClock.adjust("1500 millis")
      yield* Fiber.join(call)
      expect(server.requests).toHaveLength(2)
    })
  )

  it.scopedLive("a Retry-After longer than the budget fails at once with RateLimited", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(429, { "retry-after": "120", "x-vercel-id": "fra1::rl" }), ok])
      const client = yield* clientFor(server.url)
      const error = yield* Effect.flip(client.updateInstallation(ID, {}))
      expect(error).toBeInstanceOf(RateLimited)
      expect(error).toMatchObject({ attempts: 1, status: 429, code: "status_429", requestId: "fra1::rl" })
      expect(error._tag === "RateLimited" && Duration.toSeconds(error.retryAfter!)).toBe(120)
      expect(server.requests).toHaveLength(1)
    })
  )

  it.scoped("the budget counts from the start of the call, earlier waits included (TestClock)", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(429, { "retry-after": "60" })])
      const client = yield* clientFor(server.url, { retry: { maxElapsed: "100 seconds" } })
      const call = yield* Effect.fork(client.updateInstallation(ID, {}))
      expect(yield* sleepingUntil(60_000)).toContain(60_000)
      yield* TestClock.adjust("60 seconds")
      const error = yield* Effect.flip(Fiber.join(call))
      expect(error).toBeInstanceOf(RateLimited)
      expect(error.attempts).toBe(2)
      expect(server.requests).toHaveLength(2)
    })
  )

  it.scoped("a backoff that would overrun the budget is not started (TestClock)", () =>
    Effect.gen(function* () {
      const server = yield* testServer([status(503)])
      const client = yield* clientFor(server.url, {
        retry: { maxAttempts: 10, maxElapsed: "30 seconds", baseDelay: "20 seconds", maxDelay: "1 minute" }
      })
      const call = yield* Effect.fork(client.updateInstallation(ID, {}))
      // The first backoff is 20 s ± 20% and fits; the second (40 s ± 20%) cannot.
      const sleeps = yield* asleep((at) => at >= 16_000 && at <= 24_000)
      expect(sleeps.filter((at) => at >= 16_000 && at <= 24_000)).toHaveLength(1)
      yield* TestClock.adjust("24 seconds")
      const error = yield* Effect.flip(Fiber.join(call))
      expect(error._tag).toBe("ServerError")
      expect(error.attempts).toBe(2)
      expect(server.requests).toHaveLength(2)
    })
  )
})

describe("Vercel's rate-limit hints", () => {
  const now = Date.parse("2026-03-01T12:00:00Z")
  const limited = (headers: Record<string, string>, limit?: Record<string, unknown>) => ({
    status: 429,
    headers,
    body: vercelError("rate_limited", "Too many requests", limit === undefined ? {} : { limit })
  })
  // Under TestClock at `now`: the retry must be asleep until exactly `now + waitMs`, and not run before.
  const waitsFor = (reply: ReturnType<typeof limited>, waitMs: number) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const server = yield* testServer([reply, ok])
      const client = yield* clientFor(server.url)
      const call = yield* Effect.fork(client.updateInstallation(ID, {}))
      const sleeps = yield* sleepingUntil(now + waitMs)
      expect(sleeps).toContain(now + waitMs)
      yield* TestClock.adjust(waitMs - 1)
      expect(server.requests).toHaveLength(1)
      yield* TestClock.adjust(1)
      yield* Fiber.join(call)
      expect(server.requests).toHaveLength(2)
    })

  it.scoped("X-RateLimit-Reset alone, in epoch seconds (TestClock)", () =>
    waitsFor(limited({ "x-ratelimit-reset": String(now / 1000 + 4) }), 4000)
  )
  it.scoped("X-RateLimit-Reset alone, in epoch milliseconds above 10^12 (TestClock)", () =>
    waitsFor(limited({ "x-ratelimit-reset": String(now + 3500) }), 3500)
  )
  it.scoped("the body's error.limit.resetMs alone (TestClock)", () =>
    waitsFor(limited({}, { remaining: 0, resetMs: now + 2500 }), 2500)
  )
  it.scoped("the body's error.limit.reset alone, in epoch seconds (TestClock)", () =>
    waitsFor(limited({}, { remaining: 0, reset: now / 1000 + 6 }), 6000)
  )
  it.scoped("Retry-After wins over X-RateLimit-Reset and the body (TestClock)", () =>
    waitsFor(
      limited({ "retry-after": "2", "x-ratelimit-reset": String(now / 1000 + 9) }, { resetMs: now + 9000 }),
      2000
    )
  )
  it.scoped("a 503 with Retry-After waits that long too (TestClock)", () =>
    waitsFor({ ...status(503, { "retry-after": "3" }) }, 3000)
  )

  it.scopedLive.each([
    { hint: "a 400-digit Retry-After", headers: { "retry-after": "9".repeat(400) } },
    {
      hint: "a Retry-After date far in the future",
      headers: { "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT" }
    },
    { hint: "an X-RateLimit-Reset far in the future", headers: { "x-ratelimit-reset": "9".repeat(30) } }
  ] as ReadonlyArray<{ hint: string; headers: Record<string, string> }>)(
    "$hint is read as 24 h: RateLimited at once, no Infinity anywhere",
    ({ headers }) =>
      Effect.gen(function* () {
        const server = yield* testServer([limited(headers), ok])
        const client = yield* clientFor(server.url)
        const error = yield* Effect.flip(client.updateInstallation(ID, {}))
        expect(error).toBeInstanceOf(RateLimited)
        expect(error.attempts).toBe(1)
        expect(error._tag === "RateLimited" && Duration.toMillis(error.retryAfter!)).toBe(24 * 3600 * 1000)
        expect(error.message).toContain("retry after 1d")
        expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/Infinity|NaN/)
        expect(server.requests).toHaveLength(1)
      })
  )

  it.scopedLive("negative or garbage hints are ignored: the backoff applies and the call goes on", () =>
    Effect.gen(function* () {
      const server = yield* testServer([
        limited({ "retry-after": "-5", "x-ratelimit-reset": "soon" }, { resetMs: "later", reset: -1 }),
        ok
      ])
      const client = yield* clientFor(server.url)
      yield* client.updateInstallation(ID, {})
      expect(server.requests).toHaveLength(2)
    })
  )
})

describe("Retry.retryHint", () => {
  const now = Date.parse("2026-03-01T12:00:00Z")
  const hint = (code: number, headers: Record<string, string>, body?: Record<string, unknown>) => {
    const wait = Retry.retryHint(code, headers, body, now)
    return wait === undefined ? undefined : Duration.toMillis(wait)
  }

  it("reads each hint of a 429 in order, a 503's Retry-After only, and nothing of other statuses", () => {
    expect(hint(429, { "x-ratelimit-reset": String(now / 1000 + 1) })).toBe(1000)
    expect(hint(429, {}, { limit: { resetMs: now + 10, reset: now / 1000 + 99 } })).toBe(10)
    expect(hint(429, { "x-ratelimit-reset": String(now / 1000 - 30) })).toBe(0)
    expect(hint(503, { "retry-after": "7" })).toBe(7000)
    expect(hint(503, { "x-ratelimit-reset": String(now / 1000 + 1) })).toBeUndefined()
    expect(hint(500, { "retry-after": "7" })).toBeUndefined()
    expect(hint(429, { "x-ratelimit-reset": "1e400" })).toBeUndefined()
    expect(hint(429, {}, { limit: "soon" })).toBeUndefined()
  })
})

describe("timeouts and transport failures", () => {
  it.scopedLive("an attempt with no response times out, is aborted, and is retried", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ hang: true }])
      const client = yield* clientFor(server.url, {
        timeout: "40 millis",
        retry: { maxAttempts: 2, baseDelay: 1 }
      })
      const error = yield* Effect.flip(client.updateInstallation(ID, {}))
      expect(error).toBeInstanceOf(Timeout)
      expect(error).toMatchObject({ attempts: 2, method: "PATCH", path: `/v1/installations/${ID}` })
      expect(error.message).toBe(`PATCH /v1/installations/${ID} → no response within 40ms (2 attempts)`)
      expect(server.requests).toHaveLength(2)
      const aborted = yield* Effect.promise(() => Promise.all(server.requests.map(wasAborted)))
      expect(aborted).toEqual([true, true])
    })
  )

  it.scoped("the timeout runs on the Effect clock: a TestClock fires it", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ hang: true }])
      const client = yield* clientFor(server.url, { retry: false })
      const call = yield* Effect.fork(Effect.flip(client.updateInstallation(ID, {})))
      yield* sleepingUntil(10_000)
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(call)
      expect(error).toBeInstanceOf(Timeout)
      expect(error.message).toBe(`PATCH /v1/installations/${ID} → no response within 10s (1 attempt)`)
    })
  )

  it.scopedLive("a timed-out attempt is retried and a later answer wins", () =>
    Effect.gen(function* () {
      const server = yield* testServer((_, index) => (index === 0 ? { hang: true } : ok))
      const client = yield* clientFor(server.url, { timeout: "100 millis" })
      yield* client.updateInstallation(ID, {})
      expect(server.requests.length).toBeGreaterThanOrEqual(2)
      expect(yield* Effect.promise(() => wasAborted(server.requests[0]))).toBe(true)
    })
  )

  it.scopedLive("connection refused → TransportError after every attempt", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(refusedPort)
      const client = yield* clientFor(`http://127.0.0.1:${port}`, { retry: { maxAttempts: 3, baseDelay: 1 } })
      const error = yield* Effect.flip(client.createEvent(ID, { type: "installation.updated" }))
      expect(error).toBeInstanceOf(TransportError)
      expect(error).toMatchObject({ attempts: 3, method: "POST", path: `/v1/installations/${ID}/events` })
      expect(error.status).toBeUndefined()
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).toContain("(3 attempts)")
    })
  )

  it.scopedLive("a connection reset is retried", () =>
    Effect.gen(function* () {
      const server = yield* testServer([{ reset: true }, ok])
      const client = yield* clientFor(server.url)
      yield* client.updateInstallation(ID, {})
      expect(server.requests).toHaveLength(2)
    })
  )
})

describe("Promise facade retries", () => {
  it("takes its retry options and timeout in milliseconds", async () => {
    const server = await startServer((_, index) => [status(502), { hang: true }][index] ?? ok)
    try {
      const client = createMarketplaceClient({
        token: TOKEN,
        baseUrl: server.url,
        timeoutMs: 100,
        retry: { baseDelay: 1, maxDelay: 5 }
      })
      await client.installationUpdated(ID, "plan")
      expect(server.requests.length).toBeGreaterThanOrEqual(3)
      expect(await wasAborted(server.requests[1])).toBe(true)
      const once = createMarketplaceClient({ token: TOKEN, baseUrl: server.url, retry: false })
      await expect(once.installationUpdated(ID)).resolves.toBeUndefined()
    } finally {
      await server.close()
    }
  })
})

describe("Retry.parseRetryAfter", () => {
  const now = Date.parse("2026-03-01T12:00:00Z")
  const parse = (headers: Record<string, string>) => {
    const wait = Retry.parseRetryAfter(headers, now)
    return wait === undefined ? undefined : Duration.toMillis(wait)
  }

  it("reads delta-seconds, HTTP-dates and retry-after-ms", () => {
    expect(parse({ "retry-after": "5" })).toBe(5000)
    expect(parse({ "retry-after": "0.25" })).toBe(250)
    expect(parse({ "retry-after": "Sun, 01 Mar 2026 12:00:30 GMT" })).toBe(30_000)
    expect(parse({ "retry-after-ms": "1200", "retry-after": "5" })).toBe(1200)
  })

  it("treats a past date as no wait and ignores what it cannot read", () => {
    expect(parse({ "retry-after": "Sun, 01 Mar 2026 11:00:00 GMT" })).toBe(0)
    expect(parse({ "retry-after": "soon" })).toBeUndefined()
    expect(parse({ "retry-after": "-3" })).toBeUndefined()
    expect(parse({ "retry-after-ms": "abc" })).toBeUndefined()
    expect(parse({})).toBeUndefined()
  })
})

describe("Retry.retryPolicy", () => {
  it("fills in the defaults: 5 attempts, 60 s, 200 ms base, 10 s cap", () => {
    const policy = Retry.retryPolicy(undefined)
    expect(policy.maxAttempts).toBe(5)
    expect(Duration.toMillis(policy.maxElapsed)).toBe(60_000)
    expect(Duration.toMillis(policy.baseDelay)).toBe(200)
    expect(Duration.toMillis(policy.maxDelay)).toBe(10_000)
  })

  it("turns false into one attempt and nonsense attempt counts into at least one", () => {
    expect(Retry.retryPolicy(false).maxAttempts).toBe(1)
    expect(Retry.retryPolicy({ maxAttempts: 0 }).maxAttempts).toBe(1)
    expect(Retry.retryPolicy({ maxAttempts: 2.7 }).maxAttempts).toBe(2)
    expect(Retry.retryPolicy({ maxAttempts: Number.NaN }).maxAttempts).toBe(5)
  })
})
