// Baseline for the adapter benchmark: a bare Express 5 app that parses JSON and answers 204 / 201.
import express from "express"

const app = express()
app.use(express.json())
app.patch("/v1/installations/:id", (_req, res) => res.sendStatus(204))
app.post("/v1/installations/:id/events", (_req, res) => res.sendStatus(201))
const server = app.listen(0, "127.0.0.1", () =>
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
)
process.on("SIGTERM", () => server.close(() => process.exit(0)))
