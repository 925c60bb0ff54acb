import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { run } from "./Cli.js"
import { make as makeConsole } from "./TerminalConsole.js"

// Known before parsing, so even a parse error that echoes an argument cannot print the token.
const secrets = (argv: ReadonlyArray<string>): Array<string> => {
  const found = [process.env.VERCEL_TOKEN ?? ""]
  argv.forEach((arg, index) => {
    for (const flag of ["--token", "--admin-token"]) {
      if (arg === flag) found.push(argv[index + 1] ?? "")
      else if (arg.startsWith(`${flag}=`)) found.push(arg.slice(flag.length + 1))
    }
  })
  return found
}

// Interrupted by a signal: exit as a shell reports it (128 + signal number), once everything closed.
let signalExit = 130
process.once("SIGTERM", () => {
  signalExit = 143
})

run(process.argv).pipe(
  Effect.withConsole(makeConsole(secrets(process.argv))),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // Log lines (only with --verbose) are formatted by Report, not by the pretty logger.
    disablePrettyLogger: true,
    // Exit explicitly: an idle keep-alive socket must not hold a finished command open.
    teardown: (exit) =>
      process.exit(
        Exit.isSuccess(exit) ? Number(exit.value) : Cause.isInterruptedOnly(exit.cause) ? signalExit : 1
      )
  })
)
