import { describe, expect, it } from "vitest"
import { InstallationAuth } from "../src/emulator/Auth.js"
import { Chaos } from "../src/emulator/Chaos.js"
import { RateLimiter } from "../src/emulator/RateLimiter.js"

describe("RateLimiter (token bucket)", () => {
  it("allows a burst, refills at the rate, and says when to come back", () => {
    let now = 1_000_000
    const limiter = new RateLimiter({ requestsPerSecond: 2, burst: 3 }, () => now)
    expect([1, 2, 3].map(() => limiter.take("a").allowed)).toEqual([true, true, true])
    const refused = limiter.take("a")
    expect(refused).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetMs: now + 1500,
      retryAfterMs: 500
    })
    now += 500
    expect(limiter.take("a")).toMatchObject({ allowed: true, remaining: 0 })
    now += 250
    expect(limiter.take("a")).toMatchObject({ allowed: false, retryAfterMs: 250 })
    now += 10_000
    expect(limiter.take("a")).toMatchObject({ allowed: true, remaining: 2, resetMs: now + 500 })
  })

  it("keeps one bucket per caller", () => {
    const limiter = new RateLimiter({ requestsPerSecond: 1 }, () => 0)
    expect(limiter.take("a").allowed).toBe(true)
    expect(limiter.take("a").allowed).toBe(false)
    expect(limiter.take("b").allowed).toBe(true)
  })
})

describe("Chaos", () => {
  const draw = (options: ConstructorParameters<typeof Chaos>[0], count: number) => {
    const chaos = new Chaos(options)
    return Array.from({ length: count }, () => chaos.next())
  }

  it("repeats exactly for a seed and differs across seeds", () => {
    const options = {
      seed: 9,
      errorRate: 0.2,
      dropRate: 0.1,
      stallRate: 0.05,
      latencyMs: { min: 5, max: 50 }
    }
    expect(draw(options, 200)).toEqual(draw(options, 200))
    expect(draw({ ...options, seed: 10 }, 200)).not.toEqual(draw(options, 200))
  })

  it("hits each fault at about its rate, spreads 500/502/503, and keeps latency in range", () => {
    const faults = draw(
      { seed: 1, errorRate: 0.2, dropRate: 0.1, stallRate: 0.05, latencyMs: { min: 5, max: 50 } },
      10_000
    )
    const share = (kind: string) => faults.filter((fault) => fault.kind === kind).length / faults.length
    expect(share("error")).toBeCloseTo(0.2, 1)
    expect(share("drop")).toBeCloseTo(0.1, 1)
    expect(share("stall")).toBeCloseTo(0.05, 1)
    const statuses = new Set(faults.flatMap((fault) => (fault.kind === "error" ? [fault.status] : [])))
    expect([...statuses].sort()).toEqual([500, 502, 503])
    expect(faults.every((fault) => fault.delayMs >= 5 && fault.delayMs <= 50)).toBe(true)
  })

  it("injects nothing with only a seed", () => {
    expect(draw({ seed: 3 }, 100).every((fault) => fault.kind === "none" && fault.delayMs === 0)).toBe(true)
  })
})

describe("InstallationAuth", () => {
  const auth = new InstallationAuth([
    { id: "icfg_1", token: "t1" },
    { id: "icfg_2", token: "t2" },
    { id: "icfg_3", token: "t1" }
  ])

  it("follows Vercel's 403 / 404 rules and lets a token own several installations", () => {
    expect(auth.check("icfg_1", undefined)?.body.error).toMatchObject({ missingToken: true })
    expect(auth.check("icfg_1", "t1")).toBeUndefined()
    expect(auth.check("icfg_3", "t1")).toBeUndefined()
    expect(auth.check("icfg_1", "t2")?.body).toStrictEqual({
      error: { code: "forbidden", message: "Not authorized" }
    })
    expect(auth.check("icfg_1", "t1x")?.body.error).toMatchObject({ invalidToken: true })
    expect(auth.check("icfg_9", "t2")?.status).toBe(404)
    expect(auth.check("icfg_9", "nope")?.body.error).toMatchObject({ invalidToken: true })
  })

  it("expires tokens, and rotation retires the old token at once or after its grace", () => {
    let now = Date.parse("2030-01-01T00:00:00Z")
    const clocked = new InstallationAuth(
      [
        { id: "icfg_1", token: "t1", expiresAt: "2030-01-01T00:10:00Z" },
        { id: "icfg_2", token: "t2" }
      ],
      { tokenTtlMs: 3_600_000, now: () => now }
    )
    expect(clocked.check("icfg_1", "t1")).toBeUndefined()
    now += 10 * 60_000
    expect(clocked.check("icfg_1", "t1")?.body.error).toMatchObject({ invalidToken: true })
    // The ttl applies to a seed entry without its own expiresAt.
    expect(clocked.check("icfg_2", "t2")).toBeUndefined()
    now += 50 * 60_000
    expect(clocked.check("icfg_2", "t2")?.body.error).toMatchObject({ invalidToken: true })

    const first = clocked.issue("icfg_2")!
    expect(first.expiresAt).toBe(new Date(now + 3_600_000).toISOString())
    expect(clocked.check("icfg_2", first.token)).toBeUndefined()
    const second = clocked.issue("icfg_2", 30_000)!
    expect(clocked.check("icfg_2", first.token)).toBeUndefined()
    expect(clocked.check("icfg_2", second.token)).toBeUndefined()
    now += 30_000
    expect(clocked.check("icfg_2", first.token)?.body.error).toMatchObject({ invalidToken: true })
    const third = clocked.issue("icfg_2")!
    expect(clocked.check("icfg_2", second.token)?.body.error).toMatchObject({ invalidToken: true })
    expect(clocked.check("icfg_2", third.token)).toBeUndefined()
    expect(clocked.issue("icfg_9")).toBeUndefined()
    clocked.reset()
    expect(clocked.check("icfg_2", "t2")).toBeUndefined()
    expect(clocked.check("icfg_2", third.token)?.body.error).toMatchObject({ invalidToken: true })
  })
})
