import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"

const root = join(import.meta.dirname, "..")

const newest = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newest(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs
    )
  )

/** The tests run the bundled CLI; (re)build it when it is missing or older than its sources. */
export default function setup(): void {
  const bundle = join(root, "dist", "help.json")
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(join(root, "src"))) return
  execFileSync("pnpm", ["exec", "tsup"], { cwd: root, stdio: "inherit" })
}
