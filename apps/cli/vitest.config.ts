import { readFileSync } from "node:fs"
import { defineProject } from "vitest/config"

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string
}

export default defineProject({
  // As in tsup.config.ts, so modules imported from src render what the bundle renders.
  define: { __MKIT_VERSION__: JSON.stringify(version) },
  test: {
    name: "cli",
    include: ["test/**/*.test.ts"],
    // `mkit outbox` is tested on a real PostgreSQL: the outbox package's server (or DATABASE_URL).
    globalSetup: ["test/globalSetup.ts", "../../packages/outbox/test/support/postgres.ts"],
    testTimeout: 30_000
  }
})
