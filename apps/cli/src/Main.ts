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
    if (arg === "--token") found.push(argv[index + 1] ?? "")
    else if (arg.startsWith("--token=")) found.push(arg.slice("--token=".length))
  })
  return found
}

run(process.argv).pipe(
  Effect.withConsole(makeConsole(secrets(process.argv))),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // Log lines (only with --verbose) are formatted by Report, not by the pretty logger.
    disablePrettyLogger: true,
    // Exit explicitly: an idle keep-alive socket must not hold a finished command open.
    teardown: (exit) =>
      process.exit(Exit.isSuccess(exit) ? Number(exit.value) : Cause.isInterruptedOnly(exit.cause) ? 130 : 1)
  })
)
