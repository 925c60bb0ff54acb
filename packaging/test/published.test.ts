import { execFile } from "node:child_process"
import { readdir, readFile } from "node:fs/promises"
import { isBuiltin } from "node:module"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, inject, it } from "vitest"
import { repoRoot } from "./pack.js"

// What a published package carries, checked on the packed tarball (what npm users get), not on the
// workspace's package.json: pnpm rewrites `workspace:` and `catalog:` ranges while packing.

const run = promisify(execFile)
// Plain text whatever the environment: under CI=true the linters colour their output.
const plain = { env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } }

interface Manifest {
  readonly name: string
  readonly license?: string
  readonly engines?: { readonly node?: string }
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string }
  readonly exports?: unknown
  readonly main?: string
  readonly types?: string
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>
  readonly optionalDependencies?: Record<string, string>
}

const packed = inject("packed")
const readJson = async <T>(path: string) => JSON.parse(await readFile(path, "utf8")) as T
const manifestOf = (unpacked: string) => readJson<Manifest>(join(unpacked, "package.json"))
const root = await readJson<{ engines: { node: string } }>(join(repoRoot, "package.json"))

const filesUnder = async (dir: string): Promise<Array<string>> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))

// Static imports/exports, `import("x")` and `require("x")` with a literal: enough to see which packages
// the shipped code loads. (Written so that minified text like `Buffer.from("…")` does not match.)
const specifiers = (code: string) =>
  [
    ...code.matchAll(/(?:^|[\s;{}])(?:import|export)\b[^"'`;]*?\bfrom\s*(["'])([^"']+)\1/g),
    ...code.matchAll(/(?:^|[\s;{}])import\s*(["'])([^"']+)\1/g),
    ...code.matchAll(/\b(?:require|import)\(\s*(["'])([^"']+)\1\s*\)/g)
  ].map((match) => match[2]!)

const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/")

/** The packages (not built-ins, not relative paths) that the tarball's files matching `pattern` import. */
const importedBy = async (unpacked: string, pattern: RegExp) => {
  const imported = new Set<string>()
  for (const file of (await filesUnder(unpacked)).filter((path) => pattern.test(path)))
    for (const specifier of specifiers(await readFile(file, "utf8")))
      if (!specifier.startsWith(".") && !isBuiltin(specifier)) imported.add(packageName(specifier))
  return imported
}

const isEffect = (dep: string) => dep === "effect" || dep.startsWith("@effect/")
const requiredPeers = (manifest: Manifest) =>
  Object.entries(manifest.peerDependencies ?? {}).filter(
    ([dep]) => manifest.peerDependenciesMeta?.[dep]?.optional !== true
  )

const hasRequireCondition = (exports: unknown): boolean =>
  typeof exports === "object" &&
  exports !== null &&
  Object.entries(exports).some(([key, value]) => key === "require" || hasRequireCondition(value))

// The Effect line users must install beside us: a peer range `^3.22.0` is named `effect@^3.22`.
const installSpec = (name: string, range: string) => `${name}@${range.replace(/^(\^\d+\.\d+)\.\d+$/, "$1")}`

describe.each(packed)("$name (packed)", ({ name, dir, tarball, unpacked }) => {
  it("names its license, Node engines and repository, and ships the LICENSE file", async () => {
    const manifest = await manifestOf(unpacked)
    expect(manifest.license).toBe("MIT")
    expect(await readFile(join(unpacked, "LICENSE"), "utf8")).toMatch(/^MIT License\n/)
    expect(manifest.engines?.node, "same engines.node as the workspace root").toBe(root.engines.node)
    expect(manifest.repository).toEqual({
      type: "git",
      url: expect.stringMatching(/^git\+https:\/\/.+\.git$/),
      directory: dir
    })
  })

  it("declares every package its shipped code imports, and no workspace or catalog ranges", async () => {
    const manifest = await manifestOf(unpacked)
    const declared = new Set(
      Object.keys({
        ...manifest.dependencies,
        ...manifest.peerDependencies,
        ...manifest.optionalDependencies
      })
    )
    const imported = await importedBy(unpacked, /\.(c|m)?js$/)
    expect([...imported].filter((dep) => !declared.has(dep) && dep !== name)).toEqual([])
    const ranges = Object.values({ ...manifest.dependencies, ...manifest.peerDependencies })
    expect(ranges.filter((range) => /^(workspace|catalog):/.test(range))).toEqual([])
  })

  // One copy of Effect per app: Context tags, errors and fibers only match within one copy, and
  // `effect@latest` (4.x) does not work with the 0.9x `@effect/*` line we build on. So `effect`, and every
  // `@effect/*` package whose types our declarations expose, is the app's own copy: a peer. (An `@effect/*`
  // package used only inside, such as a database driver picked from a URL, may be a dependency: its own
  // peers then resolve to the app's copies.)
  it("takes effect and the @effect/* packages of its API as peers on the 3.x line", async () => {
    const manifest = await manifestOf(unpacked)
    const peers = Object.keys(manifest.peerDependencies ?? {})
    const inTypes = [...(await importedBy(unpacked, /\.d\.(c|m)?ts$/))].filter(isEffect)
    const inCode = [...(await importedBy(unpacked, /\.(c|m)?js$/))].filter(isEffect)
    const mustBePeers = [...new Set([...inTypes, ...inCode.filter((dep) => dep === "effect")])]
    expect(
      mustBePeers.filter((dep) => !peers.includes(dep)),
      "not declared as peers"
    ).toEqual([])
    expect(
      Object.keys(manifest.dependencies ?? {}).filter((dep) => peers.includes(dep) || dep === "effect")
    ).toEqual([])
    if (peers.includes("effect")) expect(manifest.peerDependencies?.effect).toMatch(/^\^3\.\d+\.\d+$/)
    // What our own packages expect from the app, we expect too (express → client → @effect/platform).
    for (const [dep] of Object.entries(manifest.dependencies ?? {})) {
      const sibling = packed.find((pkg) => pkg.name === dep)
      if (sibling === undefined) continue
      const missing = requiredPeers(await manifestOf(sibling.unpacked)).filter(
        ([peer]) => !peers.includes(peer)
      )
      expect(missing, `peers of ${dep} not passed on`).toEqual([])
    }
  })

  it("has a README install line that names every required peer with its version", async () => {
    const peers = requiredPeers(await manifestOf(unpacked))
    const readme = await readFile(join(unpacked, "README.md"), "utf8")
    const installLine = readme
      .split("\n")
      .find((line) => new RegExp(`^(pnpm add|npm i(nstall)?)( -\\S+)* ${name}( |$)`).test(line))
    // Every published package is installable, so every README says how.
    expect(installLine, "README has an install line for the package").toBeDefined()
    const words = installLine!.split(/\s+/)
    expect(
      peers.map(([dep, range]) => installSpec(dep, range)).filter((spec) => !words.includes(spec))
    ).toEqual([])
  })

  it("passes publint --strict", async () => {
    const publint = join(repoRoot, "packaging", "node_modules", ".bin", "publint")
    const { stdout } = await run(publint, ["--strict", tarball], { ...plain, timeout: 60_000 })
    expect(stdout.slice(stdout.indexOf("Linting...") + "Linting...".length).trim()).toBe("All good!")
  }, 90_000)

  // ESM-only packages (no `require` condition) are checked with attw's esm-only profile, which is
  // node16 without the CommonJS-consumer rule.
  it("passes @arethetypeswrong/cli (node16; esm-only for ESM-only packages)", async () => {
    const manifest = await manifestOf(unpacked)
    const profile = hasRequireCondition(manifest.exports) ? "node16" : "esm-only"
    const attw = join(repoRoot, "packaging", "node_modules", ".bin", "attw")
    // attw exits non-zero on any problem its profile counts; its report is the failure message.
    const outcome = await run(attw, [tarball, "--profile", profile, "--format", "ascii", "--no-color"], {
      ...plain,
      timeout: 90_000
    }).then(
      ({ stdout }) => ({ clean: true, report: stdout }),
      (error: { stdout?: string; message: string }) => ({
        clean: false,
        report: error.stdout ?? error.message
      })
    )
    expect(outcome.clean, outcome.report).toBe(true)
    // A bin-only package (the bundled CLI) has no types to resolve: attw must say so, and it must then
    // really offer nothing to import.
    if (outcome.report.includes("This package does not contain types."))
      expect([manifest.exports, manifest.main, manifest.types]).toEqual([undefined, undefined, undefined])
  }, 120_000)
})
