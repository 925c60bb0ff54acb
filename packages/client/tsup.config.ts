import { defineConfig, type Options } from "tsup"

const shared: Options = { format: ["esm", "cjs"], dts: true, sourcemap: true, target: "node20" }

export default defineConfig([
  // The Effect API keeps effect, @effect/platform and core external: Effect users share one copy of
  // each with their app.
  { ...shared, entry: { index: "src/index.ts" } },
  // `./promise` is self-contained: Effect, the platform modules it uses, core and zod inlined and
  // tree-shaken into one file, so a serverless cold start reads one module instead of hundreds. Its
  // API exposes no Effect values to share, and it exports the error classes its calls reject with.
  {
    ...shared,
    entry: { promise: "src/promise.ts" },
    noExternal: [/^effect($|\/)/, /^@effect\/platform($|\/)/, /^@marketplace-kit\/core$/, /^zod($|\/)/],
    // Minified: a third less to read and compile at every cold start (instances keep their `name`).
    minify: true,
    esbuildOptions: (options) => {
      // The map still gives file and line; the sources themselves would add 6 MB.
      options.sourcesContent = false
    }
  }
])
