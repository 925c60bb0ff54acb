// Load generator run as its own process, so it does not share a core's event loop with the server under test.
// Usage: node load.mjs '<json: { url, method, headers, body, connections, durationSec }>'; prints autocannon's result as JSON.
import autocannon from "autocannon"

const options = JSON.parse(process.argv[2])
const result = await autocannon({
  url: options.url,
  method: options.method,
  headers: options.headers,
  body: options.body,
  connections: options.connections,
  duration: options.durationSec
})
process.stdout.write(
  JSON.stringify({
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts
  })
)
