import { readdirSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { interleavedRounds, mapValues } from "../Driver.js"
import { BENCH_ID, BENCH_TOKEN } from "../Fixtures.js"
import { EMULATOR, MKIT, tempDir, writeSeed } from "../Paths.js"
import { startServer, timeNode } from "../Processes.js"
import { median } from "../Stats.js"

const timed = async (args: ReadonlyArray<string>, env?: NodeJS.ProcessEnv) => {
  const { ms, code } = await timeNode(args, env)
  if (code !== 0) throw new Error(`node ${args.join(" ")} exited with ${code}`)
  return ms
}

/** Cold start of `mkit --help` and `mkit event send` vs `node -e 0` (medians, interleaved), and the bundle's size. */
export const cliStartup = async (options: { readonly runs: number }) => {
  const emulator = await startServer([EMULATOR, "--port", "0", "--seed", writeSeed(tempDir())])
  const env = { ...process.env, VERCEL_TOKEN: BENCH_TOKEN, VERCEL_API_URL: emulator.url }
  const commands: Record<string, ReadonlyArray<string>> = {
    "node -e 0": ["-e", "0"],
    "mkit --help": [MKIT, "--help"],
    "mkit event send (to a local emulator)": [MKIT, "event", "send", BENCH_ID, "installation.updated"]
  }
  try {
    const rounds = await interleavedRounds(
      mapValues(commands, (args) => () => timed(args, env)),
      options.runs
    )
    const dist = dirname(MKIT)
    const bundleBytes = readdirSync(dist)
      .filter((file) => /\.(m?js|cjs)$/.test(file))
      .reduce((sum, file) => sum + statSync(join(dist, file)).size, 0)
    return {
      medians: mapValues(rounds, median),
      bundleBytes,
      entryBytes: statSync(MKIT).size
    }
  } finally {
    await emulator.stop()
  }
}
