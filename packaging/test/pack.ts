import { execFile } from "node:child_process"
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import type { TestProject } from "vitest/node"

const run = promisify(execFile)

/** The repository root (this file lives in `packaging/test`). */
export const repoRoot = join(import.meta.dirname, "..", "..")

/** One published workspace package, packed as `pnpm publish` would pack it. */
export interface Packed {
  readonly name: string
  /** Its folder relative to the repository root, e.g. `packages/client`. */
  readonly dir: string
  readonly tarball: string
  /** The tarball unpacked: `<unpacked>/package.json` is the manifest npm users get. */
  readonly unpacked: string
}

declare module "vitest" {
  export interface ProvidedContext {
    packed: ReadonlyArray<Packed>
  }
}

interface WorkspacePackage {
  readonly name: string
  readonly path: string
  readonly private?: boolean
}

// Every non-private workspace package is published, so every one is checked: a new package is covered
// without anyone adding it to a list.
export default async function setup(project: TestProject) {
  const out = await mkdtemp(join(tmpdir(), "mkit-packed-"))
  const { stdout } = await run("pnpm", ["ls", "-r", "--depth", "-1", "--json"], { cwd: repoRoot })
  const published = (JSON.parse(stdout) as Array<WorkspacePackage>).filter((pkg) => pkg.private !== true)
  const packed: Array<Packed> = []
  // One at a time: `pnpm pack` is quick, and the machine's cores are busy with the other test files.
  for (const pkg of published) {
    const packOut = await run("pnpm", ["pack", "--pack-destination", out, "--json"], {
      cwd: pkg.path,
      timeout: 60_000
    })
    const { filename } = JSON.parse(packOut.stdout) as { filename: string }
    const unpacked = join(out, pkg.name.replace("/", "+"))
    await mkdir(unpacked)
    await run("tar", ["-xzf", filename, "-C", unpacked, "--strip-components=1"])
    packed.push({ name: pkg.name, dir: relative(repoRoot, pkg.path), tarball: filename, unpacked })
  }
  project.provide("packed", packed)
  return () => rm(out, { recursive: true, force: true })
}
