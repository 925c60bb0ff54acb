import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "packaging",
    include: ["test/**/*.test.ts"],
    // Packs every published package once (after `turbo run build`), for all files of this project.
    globalSetup: ["test/pack.ts"]
  }
})
