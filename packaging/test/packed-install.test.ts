import { execFile } from "node:child_process"
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { repoRoot } from "./pack.js"

// A partner's first install, as the READMEs tell it: the packed tarballs of core, client and express
// installed with plain npm in an empty project, in ONE command, together with the third-party packages
// the READMEs' install lines name — resolved against today's npm registry (effect 4 is `latest` there;
// unpinned, npm looped on ERESOLVE for 10 minutes). Then both APIs run against the packed emulator on
// 127.0.0.1, from ESM and from CommonJS, and the declarations type-check under node16 resolution.

const run = promisify(execFile)
const packed = inject("packed")
const fixtures = join(repoRoot, "packaging", "fixtures")
const tarballOf = (name: string) => {
  const found = packed.find((pkg) => pkg.name === name)
  if (found === undefined) throw new Error(`${name} was not packed`)
  return found
}
const installed = ["@marketplace-kit/core", "@marketplace-kit/client", "@marketplace-kit/express"].map(
  tarballOf
)

// The third-party words of a README's `pnpm add <our package> …` line (our packages come as tarballs).
const readmeInstallSpecs = async (unpacked: string, name: string) => {
  const readme = await readFile(join(unpacked, "README.md"), "utf8")
  const line = readme.split("\n").find((text) => text.startsWith(`pnpm add ${name} `))
  if (line === undefined) throw new Error(`${name}'s README has no "pnpm add ${name} …" line`)
  return line
    .split(/\s+/)
    .slice(2)
    .filter((word) => !word.startsWith("@marketplace-kit/"))
}

// Plain npm: none of the `npm_*` settings pnpm exports to the scripts it runs leak into it.
const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))

let project: string
beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "mkit-packed-install-"))
})
afterAll(() => rm(project, { recursive: true, force: true }))

describe("packed install with npm", () => {
  it("installs in one npm command, with one copy of effect on the 3.x line", async () => {
    await writeFile(
      join(project, "package.json"),
      JSON.stringify({ name: "packed-install", private: true, type: "module" })
    )
    const specs = new Set(
      (await Promise.all(installed.slice(1).map((pkg) => readmeInstallSpecs(pkg.unpacked, pkg.name)))).flat()
    )
    expect([...specs]).toEqual(expect.arrayContaining(["effect@^3.22", "@effect/platform@^0.97"]))
    // Bounded: npm's own network timeouts, and a hard kill well inside the test's timeout.
    await run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--fetch-timeout=60000",
        "--fetch-retries=2",
        ...installed.map((pkg) => pkg.tarball),
        ...specs
      ],
      { cwd: project, env: plainEnv, timeout: 240_000, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 }
    )
    const { stdout } = await run("npm", ["query", "#effect"], {
      cwd: project,
      env: plainEnv,
      timeout: 60_000
    })
    const versions = new Set((JSON.parse(stdout) as Array<{ version: string }>).map((node) => node.version))
    expect(versions.size, `effect versions installed: ${[...versions].join(", ")}`).toBe(1)
    expect([...versions][0]).toMatch(/^3\./)
  }, 300_000)

  it("runs the Effect API (ESM) against the packed emulator", async () => {
    await copyFile(join(fixtures, "effect-api.mjs"), join(project, "effect-api.mjs"))
    const { stdout } = await run(process.execPath, ["effect-api.mjs"], { cwd: project, timeout: 60_000 })
    expect(JSON.parse(stdout)).toEqual({
      missing: "NotFound",
      operations: ["updateInstallation", "createEvent"]
    })
  }, 90_000)

  it("runs the Promise facade (CommonJS require) against the packed emulator", async () => {
    await copyFile(join(fixtures, "promise-api.cjs"), join(project, "promise-api.cjs"))
    const { stdout } = await run(process.execPath, ["promise-api.cjs"], { cwd: project, timeout: 60_000 })
    expect(JSON.parse(stdout)).toEqual({
      missing: "NotFound",
      operations: ["createEvent", "updateInstallation"],
      coreRejects: true
    })
  }, 90_000)

  it("type-checks against the published declarations (strict, node16)", async () => {
    await copyFile(join(fixtures, "types.ts"), join(project, "types.ts"))
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "Node16",
          moduleResolution: "Node16",
          strict: true,
          noEmit: true,
          skipLibCheck: true
        },
        files: ["types.ts"]
      })
    )
    const tsc = join(repoRoot, "packaging", "node_modules", "typescript", "bin", "tsc")
    const outcome = await run(process.execPath, [tsc, "-p", "."], { cwd: project, timeout: 120_000 }).then(
      () => "clean",
      (error: { stdout?: string; message: string }) => error.stdout || error.message
    )
    expect(outcome).toBe("clean")
  }, 150_000)
})
