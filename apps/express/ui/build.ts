import { BillingPlan } from "@marketplace-kit/core"
import { buildSync } from "esbuild"

const UI_DIR = new URL("./", import.meta.url).pathname

const bundle = (entry: string): string => {
  const result = buildSync({
    entryPoints: [`${UI_DIR}${entry}`],
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    target: ["es2022", "chrome111", "firefox115", "safari16.4"],
    jsx: "automatic",
    jsxImportSource: "preact",
    // The plan card lays out the spec's fields itself and lists any others: core's schema names them.
    define: { __MKIT_PLAN_FIELDS__: JSON.stringify(Object.keys(BillingPlan.shape)) },
    legalComments: "none",
    logLevel: "silent"
  })
  return result.outputFiles[0]!.text
}

/**
 * Builds the dashboard's script and stylesheet, and returns them as `define` entries for tsup and
 * vitest: the express package (and so the bundled CLI) carries the page in its own code, with no
 * file to locate at run time.
 */
export const dashboardDefines = (): Record<string, string> => ({
  __MKIT_DASHBOARD_JS__: JSON.stringify(bundle("main.tsx")),
  __MKIT_DASHBOARD_CSS__: JSON.stringify(bundle("style.css"))
})
