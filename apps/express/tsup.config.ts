import { defineConfig } from "tsup"
import { dashboardDefines } from "./ui/build.js"

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  sourcemap: true,
  target: "node20",
  define: dashboardDefines()
})
