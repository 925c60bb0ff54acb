import { defineConfig } from "tsup"

// The facade and the Effect API share one entry on purpose: a second one (e.g. `./promise`) would give
// CJS users two copies of the error classes, and `instanceof` would then fail across them.
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20"
})
