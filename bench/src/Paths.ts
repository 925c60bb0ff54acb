import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BENCH_ID, BENCH_TOKEN } from "./Fixtures.js"

const repo = new URL("../../", import.meta.url).pathname

/** The bundled CLI. */
export const MKIT = join(repo, "apps/cli/dist/mkit.mjs")
/** The standalone emulator (`mkit-emulator`, the same program as `mkit serve`). */
export const EMULATOR = join(repo, "apps/cli/dist/mkit-emulator.mjs")
/** The autocannon child. */
export const LOAD = new URL("./load.mjs", import.meta.url).pathname

/** A fresh temp dir for one benchmark run. */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), "mkit-bench-"))

/** Writes an emulator seed holding the benchmark installation and returns its path. */
export const writeSeed = (dir: string): string => {
  const path = join(dir, "seed.json")
  writeFileSync(path, JSON.stringify({ installations: [{ id: BENCH_ID, token: BENCH_TOKEN }] }))
  return path
}
