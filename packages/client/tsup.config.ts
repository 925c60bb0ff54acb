import { readFileSync } from "node:fs"
import { defineConfig, type Options } from "tsup"

// The error classes keep their names through minification: Node prints an error as
// `<class name> [<name>]` when the two differ.
const errorClasses = [
  ...readFileSync(new URL("src/MarketplaceError.ts", import.meta.url), "utf8").matchAll(
    /^export class (\w+)/gm
  )
].map((match) => match[1] ?? "")

const shared: Options = { format: ["esm", "cjs"], dts: true, sourcemap: true, target: "node20" }

export default defineConfig([
  // The Effect API keeps effect, @effect/platform and core external: Effect users share one copy of
  // each with their app.
  { ...shared, entry: { index: "src/index.ts" } },
  // `./promise` is self-contained: Effect, core and zod inlined and tree-shaken into one file (its
  // fetch transport uses nothing of @effect/platform, so none of it is left), so a serverless cold
  // start reads one module instead of hundreds. Its API exposes no Effect values to share, and it
  // exports the error classes its calls reject with.
  {
    ...shared,
    entry: { promise: "src/promise.ts" },
    noExternal: [/^effect($|\/)/, /^@effect\/platform($|\/)/, /^@marketplace-kit\/core$/, /^zod($|\/)/],
    // Minified by terser, whose compression leaves a tenth less than esbuild's (a partner's bundler
    // re-minifies it, so what is dropped here stays dropped): less to ship, read and compile at every
    // cold start.
    minify: "terser",
    terserOptions: { compress: { passes: 2 }, mangle: { reserved: errorClasses }, sourceMap: true },
    esbuildOptions: (options) => {
      // The map still gives file and line; the sources themselves would add 6 MB.
      options.sourcesContent = false
    }
  }
])
