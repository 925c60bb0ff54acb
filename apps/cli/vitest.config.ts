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
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 30_000
  }
})
