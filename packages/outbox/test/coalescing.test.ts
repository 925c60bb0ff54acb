import type { MarketplaceEvent, UpdateInstallationBody } from "@marketplace-kit/core"
import * as Arb from "@marketplace-kit/core/arbitraries"
import type { EmulatorServer } from "@marketplace-kit/express"
import * as fc from "fast-check"
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest"
import { openOutbox } from "../src/index.js"
import { freshDatabase } from "./support/database.js"
import { startEmulator, TOKEN, tempDir } from "./support/fixtures.js"

// Random op sequences for a few installations, delivered with coalescing on to a real emulator:
// whatever was merged or deduped, the final state there is the one applying every op in order gives.

// Seeded, so a run is repeatable: COALESCE_SEED=<n> replays the seed a failure printed.
const SEED = Number(process.env.COALESCE_SEED ?? 20261202)
beforeEach(() => {
  onTestFailed(() => {
    process.stderr.write(`coalescing.test.ts failed with seed ${SEED}; replay with COALESCE_SEED=${SEED}\n`)
  })
})

type Op =
  | {
      readonly installation: number
      readonly operation: "updateInstallation"
      readonly input: UpdateInstallationBody
    }
  | { readonly installation: number; readonly operation: "createEvent"; readonly input: MarketplaceEvent }

const INSTALLATIONS = 3

// Few distinct values, so consecutive PATCHes overwrite each other's fields and identical events repeat.
const body: fc.Arbitrary<UpdateInstallationBody> = fc.record(
  {
    billingPlan: fc.oneof(
      fc.constantFrom(
        { id: "free", type: "subscription" as const, name: "Free" },
        { id: "pro", type: "subscription" as const, name: "Pro", cost: "$20/month" }
      ),
      Arb.billingPlan
    ),
    notification: fc.oneof(
      fc.constant(null),
      fc.constantFrom("Usage at 90%", { level: "warn" as const, title: "Quota" }),
      Arb.notificationObject
    ),
    status: fc.constantFrom("ready" as const, "suspended" as const, "error" as const),
    externalId: fc.constantFrom("ext-1", "ext-2", "ext-3")
  },
  { requiredKeys: [] }
)
const event: fc.Arbitrary<MarketplaceEvent> = fc.oneof(
  fc.constantFrom<MarketplaceEvent>(
    { type: "installation.updated" },
    { type: "installation.updated", billingPlanId: "pro" },
    { type: "resource.updated", resourceId: "db_1" }
  ),
  Arb.marketplaceEvent
)
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      installation: fc.nat(INSTALLATIONS - 1),
      operation: fc.constant("updateInstallation" as const),
      input: body
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      installation: fc.nat(INSTALLATIONS - 1),
      operation: fc.constant("createEvent" as const),
      input: event
    })
  }
)
const scenario = fc.record({
  ops: fc.array(op, { minLength: 1, maxLength: 40 }),
  // Delivery already running while ops arrive (coalescing sees a partial queue), or started after.
  live: fc.boolean(),
  concurrency: fc.integer({ min: 1, max: 4 })
})

// As the store keeps them: JSON round trip (e.g. -0 becomes 0).
const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** Applying every update in order, with Vercel's PATCH semantics (absent = unchanged, `notification: null` clears). */
const fold = (bodies: ReadonlyArray<UpdateInstallationBody>) => {
  const state: Record<string, unknown> = {}
  for (const next of bodies) {
    if (next.billingPlan !== undefined) state.billingPlan = next.billingPlan
    if (next.notification === null) delete state.notification
    else if (next.notification !== undefined) state.notification = next.notification
    if (next.status !== undefined) state.status = next.status
    if (next.externalId !== undefined) state.externalId = next.externalId
  }
  return state
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

// Runs of identical events collapsed to one: dedupe may drop an event only next to an identical one.
const collapse = (events: ReadonlyArray<MarketplaceEvent>) =>
  events.filter((event, i) => i === 0 || !sameJson(event, events[i - 1]))

let run = 0
let requests = 0
let ops = 0

const check = async (store: () => Promise<string>, scenarioOf: typeof scenario, numRuns: number) => {
  let runs = 0
  await fc.assert(
    fc.asyncProperty(scenarioOf, async ({ ops: sequence, live, concurrency }) => {
      runs++
      // Fresh installation ids per run, so runs sharing one PostgreSQL database never see each other's ops.
      const prefix = `icfg_prop_${++run}_`
      const ids = Array.from({ length: INSTALLATIONS }, (_, i) => `${prefix}${i}`)
      const server: EmulatorServer = await startEmulator(0, {
        installations: ids.map((id) => ({ id, token: TOKEN }))
      })
      const outbox = await openOutbox({ store: await store(), token: TOKEN, baseUrl: server.url, pollMs: 20 })
      try {
        if (live) outbox.start({ concurrency })
        for (const next of sequence) {
          const id = ids[next.installation]!
          if (next.operation === "updateInstallation") await outbox.updateInstallation(id, next.input)
          else await outbox.createEvent(id, next.input)
        }
        if (!live) outbox.start({ concurrency })
        await outbox.drain()
        requests += server.emulator.state
          .events({ since: 0 })
          .filter((entry) => entry.installationId.startsWith(prefix)).length
        ops += sequence.length
        for (const [index, id] of ids.entries()) {
          const mine = stored(sequence.filter((candidate) => candidate.installation === index))
          const { id: _id, updatedAt: _at, ...state } = server.emulator.state.installation(id)!
          const updates = mine.flatMap((o) => (o.operation === "updateInstallation" ? [o.input] : []))
          expect(state, `installation ${index}`).toEqual(fold(updates))
          const events = mine.flatMap((o) => (o.operation === "createEvent" ? [o.input] : []))
          const sent = server.emulator.state
            .events({ installationId: id, operation: "createEvent" })
            .flatMap((entry) => (entry.operation === "createEvent" ? [entry.event] : []))
          expect(collapse(sent), `events of installation ${index}`).toEqual(collapse(events))
          // Only an event right after an identical one (no PATCH between) may be deduped.
          const droppable = mine.filter(
            (o, i) =>
              o.operation === "createEvent" &&
              i > 0 &&
              mine[i - 1]!.operation === "createEvent" &&
              sameJson(mine[i - 1]!.input, o.input)
          ).length
          expect(sent.length).toBeGreaterThanOrEqual(events.length - droppable)
          expect(sent.length).toBeLessThanOrEqual(events.length)
        }
      } finally {
        await outbox.close()
        await server.close()
      }
    }),
    { seed: SEED, numRuns, interruptAfterTimeLimit: 60_000, endOnFailure: true }
  )
  return runs
}

describe("coalescing (property)", () => {
  let dir: ReturnType<typeof tempDir>
  beforeAll(() => {
    dir = tempDir()
  })
  afterAll(() => dir.remove())

  it("SQLite: the emulator ends in the state of every op applied in order", {
    timeout: 120_000
  }, async () => {
    let file = 0
    const runs = await check(async () => `sqlite:${dir.dir}/outbox-${++file}.db`, scenario, 40)
    expect(runs).toBeGreaterThanOrEqual(10)
    // The property is about merged requests: they must actually have happened.
    expect(requests).toBeLessThan(ops)
  })

  it("PostgreSQL: the same, several workers' worth of concurrency on one database", {
    timeout: 120_000
  }, async () => {
    const url = await freshDatabase()
    const runs = await check(async () => url, scenario, 15)
    expect(runs).toBeGreaterThanOrEqual(5)
  })
})
