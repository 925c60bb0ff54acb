import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Arb from "../src/Arbitraries.js"
import { CreateEventBody, UpdateInstallationBody, validate } from "../src/index.js"

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

describe("every rejection names a path that exists in the input or its schema", () => {
  it("invalid update bodies always produce at least one issue with a message", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (input) => {
        const result = validate(UpdateInstallationBody, input)
        if (!result.success) {
          expect(result.issues.length).toBeGreaterThan(0)
          for (const issue of result.issues) expect(issue.message.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 500 }
    )
  })
})
