import { clientThroughput } from "./sections/ClientThroughput.js"

const r = await clientThroughput({ requests: 2000, rounds: 3, concurrencies: [1, 32] })
for (const { concurrency, results } of r)
  console.log(
    process.env.LABEL,
    concurrency,
    Object.entries(results)
      .map(([k, v]) => `${k}=${v.requestsPerSec.toFixed(0)}`)
      .join(" ")
  )
