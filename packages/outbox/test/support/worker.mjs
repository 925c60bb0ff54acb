// A delivery worker in its own process, as a partner would run one: open the outbox, deliver until
// nothing is left, print the final stats as one JSON line and exit. Used to kill -9 real processes.
import { openOutbox } from "../../dist/index.js"

const [store, baseUrl, token, concurrency, leaseMs] = process.argv.slice(2)
const outbox = await openOutbox({
  store,
  token,
  baseUrl,
  coalesce: false,
  leaseMs: Number(leaseMs),
  pollMs: 50,
  retry: { baseDelay: 10, maxAttempts: 3 }
})
process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
outbox.start({ concurrency: Number(concurrency) })
const stats = await outbox.drain()
await outbox.close()
process.stdout.write(`${JSON.stringify({ done: true, stats })}\n`)
