import { interleavedRounds, mapValues } from "../Driver.js"
import { timeNode } from "../Processes.js"
import { median } from "../Stats.js"

const script = (name: string) => new URL(`../imports/${name}`, import.meta.url).pathname

/** The baseline every row is divided by: what a partner's function loads today to make the same calls. */
export const SDK = "@vercel/sdk (VercelCore + 2 standalone functions)"

/** Each contender: a fresh `node` that loads the package unbundled from node_modules and builds a client. */
const contenders: Record<string, ReadonlyArray<string>> = {
  "node -e 0": ["-e", "0"],
  [SDK]: [script("sdk.mjs")],
  "ours, Promise facade (ESM import)": [script("promise.mjs")],
  "ours, Promise facade (CJS require)": [script("promise.cjs")],
  "ours, Effect API + FetchHttpClient (ESM import)": [script("effect.mjs")]
}

const timed = async (args: ReadonlyArray<string>) => {
  const { ms, code } = await timeNode(args)
  if (code !== 0) throw new Error(`node ${args.join(" ")} exited with ${code}`)
  return ms
}

/**
 * Cold start of each contender: the median wall time of a fresh process, and the median over
 * rounds of its time divided by the SDK's in the same round (the contenders take turns, so a
 * loaded machine slows a round's contenders alike and the ratio holds better than the times).
 */
export const importColdStart = async (options: {
  readonly runs: number
}): Promise<Record<string, { readonly ms: number; readonly vsSdk: number }>> => {
  const samples = await interleavedRounds(
    mapValues(contenders, (args) => () => timed(args)),
    options.runs
  )
  const sdk = samples[SDK]!
  return mapValues(samples, (times) => ({
    ms: median(times),
    vsSdk: median(times.map((ms, round) => ms / sdk[round]!))
  }))
}
