import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

// `pnpm bench` with tiny N, so the benchmark cannot rot unnoticed: every row must come out with figures.

const BENCH_DIR = new URL("..", import.meta.url).pathname

describe("pnpm bench --quick", () => {
  it("measures every row and writes the report", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "mkit-bench-smoke-")), "BENCHMARKS.md")
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--import", "tsx", "src/run.ts", "--quick", "--out", out],
        { cwd: BENCH_DIR, timeout: 170_000 },
        (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve())
      )
    )
    const report = readFileSync(out, "utf8")
    for (const section of [
      "## 1.",
      "### concurrency 1",
      "## 2.",
      "## 3.",
      "## 4.",
      "## 5.",
      "### Import and build a client",
      "### App bundle",
      "## 6.",
      "## 7."
    ]) {
      expect(report).toContain(section)
    }
    for (const row of [
      "raw fetch",
      "@vercel/sdk",
      "ours (Promise facade)",
      "ours (@marketplace-kit/client/promise)",
      "ours (Effect API)",
      "ours (core validate)",
      "bare Express 5",
      "ours (router + emulator backend)",
      "node -e 0",
      "mkit --help",
      "mkit event send",
      "ours, Promise facade (ESM import)",
      "ours, Promise facade (CJS require)",
      "ours, Effect API + FetchHttpClient (ESM import)",
      "bare client (Promise facade), no store",
      "outbox, SQLite: store then deliver",
      "outbox, PostgreSQL: store then deliver",
      "outbox, SQLite: enqueue only",
      "outbox, PostgreSQL: enqueue only",
      "--dry-run --json"
    ]) {
      expect(report).toMatch(new RegExp(`\\| ${row.replace(/[()+.]/g, "\\$&")}[^|]* \\| [\\d,.]+`))
    }
    expect(report).not.toContain("n/a")
    // Bulk: every line delivered, nothing in the failed file.
    const bulkRow = report.split("\n").find((line) => /^\| 100 \|/.test(line))
    expect(
      bulkRow
        ?.split("|")
        .map((cell) => cell.trim())
        .slice(5, 8)
    ).toEqual(["0", expect.stringMatching(/^\d+$/), "0"])
  }, 180_000)
})
