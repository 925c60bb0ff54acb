import { defineConfig } from "vitest/config"
import type { Reporter, TestModule } from "vitest/node"

// Ends the run with one plain "N passed, N failed, N skipped" line that any CI log reader understands.
class SummaryLine implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0 }
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === "passed") counts.passed++
        else if (state === "failed") counts.failed++
        else counts.skipped++
      }
    }
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`)
  }
}

export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/*",
      "packaging",
      // The client's Effect-API tests again, on the Promise facade's fetch transport instead of
      // @effect/platform's FetchHttpClient (see `clientFor`): one request path, both transports.
      {
        test: {
          name: "client-fetch",
          root: "packages/client",
          include: ["test/**/*.test.ts"],
          exclude: ["test/promise-entry.test.ts", "test/timeout-fail.test.ts"],
          env: { MKIT_CLIENT_TRANSPORT: "fetch" }
        }
      },
      { test: { name: "bench", root: "bench", include: ["test/**/*.test.ts"] } },
      {
        test: {
          name: "reliability",
          root: ".",
          include: ["bench/reliability/**/*.test.ts", "apps/express/test/persistence.test.ts"]
        }
      }
    ],
    reporters: ["default", new SummaryLine()]
  }
})
