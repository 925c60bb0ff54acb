import { defineProject } from "vitest/config"

// The SIGKILL persistence test belongs to the reliability suite (`pnpm test:reliability`), which runs it.
export default defineProject({
  test: { name: "express", include: ["test/**/*.test.ts"], exclude: ["test/persistence.test.ts"] }
})
