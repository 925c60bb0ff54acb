#!/usr/bin/env node
// `mkit-emulator [flags]` is `mkit serve [flags]`: one program, one flag parser, the same defaults.
process.argv.splice(2, 0, "serve")
await import("./bin.js")
