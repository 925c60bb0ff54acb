import { readFileSync, writeFileSync } from "node:fs"
import { defineConfig } from "tsup"

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string
}

export default defineConfig({
  entry: { mkit: "src/bin.ts", "mkit-emulator": "src/EmulatorBin.ts", "help-pages": "src/HelpPages.ts" },
  format: ["esm"],
  outExtension: () => ({ js: ".mjs" }),
  platform: "node",
  target: "node20",
  // One self-contained program: every dependency is bundled, nothing is resolved at run time, except
  // better-sqlite3 (a native addon, a dependency of the package, loaded only by `bulk` and `outbox`)
  // and pg's optional native binding, which is never installed.
  noExternal: [/^(?!better-sqlite3$|pg-native$)/],
  external: ["better-sqlite3", "pg-native"],
  // Command handlers are dynamic imports, so `--help` loads only the command tree and the
  // emulator (Express) only loads for `serve` and `demo`.
  splitting: true,
  minify: true,
  sourcemap: false,
  clean: true,
  // Render the help pages (and the grammar that picks one) once, so `mkit --help` prints them without loading Effect.
  onSuccess: async () => {
    const bundle = new URL("./dist/help-pages.mjs", import.meta.url).href
    const { prebuiltHelp } = (await import(bundle)) as { prebuiltHelp: () => unknown }
    writeFileSync(new URL("./dist/help.json", import.meta.url), JSON.stringify(prebuiltHelp()))
  },
  define: { __MKIT_VERSION__: JSON.stringify(version) },
  // Bundled CommonJS dependencies (Express and its deps) call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __mkitCreateRequire } from "node:module";const require=__mkitCreateRequire(import.meta.url);'
  }
})
