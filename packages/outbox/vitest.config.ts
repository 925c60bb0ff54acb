import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "outbox",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/postgres.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
