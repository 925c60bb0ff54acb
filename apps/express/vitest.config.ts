import { defineProject } from "vitest/config"
import { dashboardDefines } from "./ui/build.js"

// The SIGKILL persistence test belongs to the reliability suite (`pnpm test:reliability`), which runs it.
export default defineProject({
  define: dashboardDefines(),
  test: { name: "express", include: ["test/**/*.test.ts"], exclude: ["test/persistence.test.ts"] }
})
