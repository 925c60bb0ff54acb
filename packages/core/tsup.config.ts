import { defineConfig } from "tsup"

export default defineConfig({
  entry: { index: "src/index.ts", arbitraries: "src/Arbitraries.ts", "json-schema": "src/JsonSchema.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20"
})
