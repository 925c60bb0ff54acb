import * as fc from "fast-check"
import { beforeEach, describe, expect, it, onTestFailed } from "vitest"
import * as Arb from "../src/Arbitraries.js"
import { CreateEventBody, UpdateInstallationBody, validate } from "../src/index.js"
import { jsonSchemas } from "../src/JsonSchema.js"

// Seeded, so a run is repeatable: PROPERTIES_SEED=<n> replays the seed a failure printed.
const SEED = Number(process.env.PROPERTIES_SEED ?? 20261202)
fc.configureGlobal({ seed: SEED })
beforeEach(() => {
  onTestFailed(() => {
    process.stderr.write(`properties.test.ts failed with seed ${SEED}; replay with PROPERTIES_SEED=${SEED}\n`)
  })
})

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

describe("valid bodies survive a JSON round trip", () => {
  it("update-installation bodies re-validate to themselves", () => {
    fc.assert(
      fc.property(Arb.updateInstallationBody, (body) => {
        const result = validate(UpdateInstallationBody, roundTrip(body))
        expect(result).toEqual({ success: true, data: body })
      }),
      { numRuns: 500 }
    )
  })

  it("create-event bodies re-validate to themselves", () => {
    fc.assert(
      fc.property(Arb.createEventBody, (body) => {
        expect(validate(CreateEventBody, roundTrip(body))).toEqual({ success: true, data: body })
      }),
      { numRuns: 500 }
    )
  })
})

// Segments of a rendered issue path: `billingPlan.details[0]["odd key"]` → billingPlan, details, 0, odd key.
const SEGMENT = /^(?:\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/
const segments = (path: string): Array<string | number> => {
  const out: Array<string | number> = []
  let rest = path === "(root)" ? "" : path
  while (rest !== "") {
    const match = SEGMENT.exec(rest)
    if (match === null) throw new Error(`unparseable issue path ${JSON.stringify(path)}`)
    out.push(match[1] ?? (match[2] === undefined ? (JSON.parse(match[3]!) as string) : Number(match[2])))
    rest = rest.slice(match[0].length)
  }
  return out
}

// Every property name the schemas require somewhere: what a rejection may name although the input lacks it.
const requiredNames = (schema: unknown): Array<string> => {
  if (typeof schema !== "object" || schema === null) return []
  const own = Array.isArray((schema as { required?: unknown }).required)
    ? ((schema as { required: Array<string> }).required ?? [])
    : []
  return [...own, ...Object.values(schema).flatMap(requiredNames)]
}
const REQUIRED = new Set(requiredNames(jsonSchemas))

const has = (container: unknown, key: string | number): boolean =>
  typeof container === "object" && container !== null && Object.hasOwn(container, key)

/**
 * Where an issue path leads in the input: every step but the last must exist in the input, and
 * the last too, unless it is a property the schema requires (a missing field is named by its path).
 */
const pathProblem = (input: unknown, path: string): string | undefined => {
  const keys = segments(path)
  let node = input
  for (const [index, key] of keys.entries()) {
    const last = index === keys.length - 1
    if (!has(node, key))
      return last && typeof key === "string" && REQUIRED.has(key) ? undefined : `no ${String(key)}`
    node = (node as Record<string | number, unknown>)[key]
  }
  return undefined
}

// Near-valid inputs find the deep paths: a valid body with one value replaced, one key dropped or one added.
const mutated = (valid: fc.Arbitrary<object>): fc.Arbitrary<unknown> =>
  fc
    .tuple(valid, fc.nat(), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom("replace", "drop", "add"))
    .map(([body, pick, value, how]) => {
      const copy = JSON.parse(JSON.stringify(body)) as unknown
      const containers: Array<Record<string, unknown>> = []
      const visit = (node: unknown) => {
        if (typeof node !== "object" || node === null) return
        containers.push(node as Record<string, unknown>)
        for (const child of Object.values(node)) visit(child)
      }
      visit(copy)
      const target = containers[pick % containers.length]!
      const keys = Object.keys(target)
      const key = keys[pick % Math.max(1, keys.length)]
      if (how === "add" || key === undefined) target[`extra_${pick % 7}`] = value
      else if (how === "drop" && Array.isArray(target)) target.splice(Number(key), 1)
      else if (how === "drop") delete target[key]
      else target[key] = value
      return copy
    })

describe("every rejection names a path that exists in the input or its schema", () => {
  const cases = [
    ["update-installation", UpdateInstallationBody, Arb.updateInstallationBody],
    ["create-event", CreateEventBody, Arb.createEventBody]
  ] as const
  for (const [name, schema, valid] of cases) {
    it(`${name}: each issue's path leads to the offending value, or to a required field the input lacks`, () => {
      let rejected = 0
      let deep = 0
      fc.assert(
        fc.property(fc.oneof(mutated(valid), fc.jsonValue({ maxDepth: 3 })), (input) => {
          const result = validate(schema, input)
          if (result.success) return
          rejected++
          expect(result.issues.length).toBeGreaterThan(0)
          for (const issue of result.issues) {
            expect(issue.message.length, issue.path).toBeGreaterThan(0)
            expect(
              pathProblem(input, issue.path),
              `${issue.path} in ${JSON.stringify(input)}`
            ).toBeUndefined()
            if (segments(issue.path).length > 1) deep++
          }
        }),
        { numRuns: 1000 }
      )
      // The property is about real rejections, many of them below the top level.
      expect(rejected).toBeGreaterThan(300)
      expect(deep).toBeGreaterThan(50)
    })
  }

  it("the check can fail: a path into the input that is not there is caught", () => {
    expect(pathProblem({ billingPlan: {} }, "billingPlan.details[0]")).toBe("no details")
    expect(pathProblem({ billingPlan: {} }, "billingPlan.id")).toBeUndefined()
    expect(pathProblem({ status: 1 }, "externalId")).toBe("no externalId")
    expect(segments('billingPlan.details[0]["odd key"]')).toEqual(["billingPlan", "details", 0, "odd key"])
  })
})
