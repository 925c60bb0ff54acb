// The thinnest server the client benchmark can talk to: reads the body, answers 204 (PATCH) or 201 (POST).
import { createServer } from "node:http"

const server = createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(req.method === "POST" ? 201 : 204)
    res.end()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
