import { interleavedRounds, mapValues, summarize } from "../Driver.js"
import { BENCH_ID, BENCH_TOKEN, fullUpdateBody } from "../Fixtures.js"
import { EMULATOR, LOAD, tempDir, writeSeed } from "../Paths.js"
import { startServer, timeNode } from "../Processes.js"

const BARE_EXPRESS = new URL("../servers/bare-express.mjs", import.meta.url).pathname

interface LoadOutput {
  readonly requestsPerSec: number
  readonly p50: number
  readonly p99: number
  readonly non2xx: number
  readonly errors: number
}

const load = async (url: string, durationSec: number, connections: number): Promise<LoadOutput> => {
  const { stdout, code } = await timeNode([
    LOAD,
    JSON.stringify({
      url: `${url}/v1/installations/${BENCH_ID}`,
      method: "PATCH",
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(fullUpdateBody),
      connections,
      durationSec
    })
  ])
  if (code !== 0) throw new Error(`load generator exited with ${code}`)
  const result = JSON.parse(stdout) as LoadOutput
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`load against ${url}: ${JSON.stringify(result)}`)
  return result
}

/** Router + emulator backend vs a bare Express 5 app, each in its own process, loaded from a third. */
export const adapterThroughput = async (options: {
  readonly durationSec: number
  readonly rounds: number
  readonly connections: number
}) => {
  const seed = writeSeed(tempDir())
  const servers = {
    "bare Express 5 (express.json + 204)": await startServer([BARE_EXPRESS]),
    "ours (router + emulator backend)": await startServer([EMULATOR, "--port", "0", "--seed", seed])
  }
  try {
    const rounds = await interleavedRounds(
      mapValues(servers, (server) => async () => {
        const run = await load(server.url, options.durationSec, options.connections)
        return { requestsPerSec: run.requestsPerSec, p50Ms: run.p50, p99Ms: run.p99 }
      }),
      options.rounds
    )
    return mapValues(rounds, summarize)
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()))
  }
}
