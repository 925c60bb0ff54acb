import { UpdateInstallationBody, validate } from "@marketplace-kit/core"
import { UpdateInstallationRequestBody$outboundSchema } from "@vercel/sdk/models/updateinstallationop.js"
import { interleavedRounds, mapValues } from "../Driver.js"
import { fullUpdateBody } from "../Fixtures.js"
import { median } from "../Stats.js"

const opsPerSec = (fn: () => unknown, ms: number): number => {
  let ops = 0
  const started = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) fn()
    ops += 100
    elapsed = performance.now() - started
  }
  return ops / (elapsed / 1000)
}

/** Validations per second of a full update body: core's `validate` vs the SDK's own request schema. */
export const validationSpeed = async (options: { readonly roundMs: number; readonly rounds: number }) => {
  const sdk = () => {
    if (!UpdateInstallationRequestBody$outboundSchema.safeParse(fullUpdateBody).success)
      throw new Error("sdk rejected")
  }
  const core = () => {
    if (!validate(UpdateInstallationBody, fullUpdateBody).success) throw new Error("core rejected")
  }
  const rounds = await interleavedRounds(
    {
      "@vercel/sdk schema": () => opsPerSec(sdk, options.roundMs),
      "ours (core validate)": () => opsPerSec(core, options.roundMs)
    },
    options.rounds
  )
  return mapValues(rounds, median)
}
