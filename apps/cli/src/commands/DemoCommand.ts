import { dashboardLink, startEmulatorServer } from "@marketplace-kit/express"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { run as runCli } from "../Cli.js"
import { CliExit, ExitCode } from "../ExitCode.js"
import type { DemoFlags } from "../options/DemoOptions.js"

interface Step {
  readonly title: string
  readonly args: ReadonlyArray<string>
  readonly exitCode: number
}

const steps = (id: string): ReadonlyArray<Step> => [
  {
    title: "Set a billing plan",
    args: [
      "installation",
      "update",
      id,
      "--plan-id",
      "pro",
      "--plan-type",
      "subscription",
      "--plan-name",
      "Pro",
      "--plan-cost",
      "$20/month",
      "--plan-detail",
      "Seats=10",
      "--plan-highlight",
      "Support=24/7"
    ],
    exitCode: ExitCode.ok
  },
  {
    title: "Show a notification",
    args: [
      "installation",
      "update",
      id,
      "--notify-level",
      "warn",
      "--notify-title",
      "Usage at 90%",
      "--notify-href",
      "https://example.com/usage"
    ],
    exitCode: ExitCode.ok
  },
  { title: "Clear it", args: ["installation", "update", id, "--clear-notification"], exitCode: ExitCode.ok },
  {
    title: "Tell Vercel the installation changed",
    args: ["event", "send", id, "installation.updated", "--billing-plan-id", "pro"],
    exitCode: ExitCode.ok
  },
  {
    title: "Tell Vercel a resource changed",
    args: ["event", "send", id, "resource.updated", "--resource-id", "db_main", "--product-id", "postgres"],
    exitCode: ExitCode.ok
  },
  {
    title: "See a request without sending it (the token is never shown)",
    args: ["installation", "update", id, "--status", "ready", "--dry-run"],
    exitCode: ExitCode.ok
  },
  {
    title: "An installation that does not exist: exit code 4",
    args: ["installation", "update", "icfg_does_not_exist", "--status", "ready"],
    exitCode: ExitCode.notFound
  },
  {
    title: "A wrong flag value: exit code 2, nothing sent",
    args: ["installation", "update", id, "--plan-id", "pro", "--plan-type", "monthly", "--plan-name", "Pro"],
    exitCode: ExitCode.usage
  }
]

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)

const heading = (text: string) => Console.log(`\n── ${text}`)

/**
 * `mkit demo`: starts the emulator on a free 127.0.0.1 port in this process and runs real `mkit`
 * command lines against it (parsed and executed exactly as typed), then prints what the
 * emulator stored. Fails if any step's exit code differs from the one shown. With `--keep-open` the
 * emulator then keeps running, with the demo's writes, and its dashboard link is printed.
 */
export const run = (flags: DemoFlags): Effect.Effect<void, CliExit> =>
  Effect.gen(function* () {
    const server = yield* Effect.acquireRelease(
      Effect.promise(() => startEmulatorServer({ port: 0, host: "127.0.0.1", log: () => undefined })),
      (started) => Effect.promise(() => started.close())
    )
    const [installation] = server.emulator.installations
    if (installation === undefined) return yield* Effect.die(new Error("the demo seed has no installation"))
    const env = ConfigProvider.fromMap(
      new Map([
        ["VERCEL_API_URL", server.url],
        ["VERCEL_TOKEN", installation.token]
      ])
    )
    yield* Console.log(
      [
        "mkit demo: the CLI against a local Vercel emulator (no token, no network beyond 127.0.0.1)",
        "",
        `emulator: ${server.url} (in this process), installation ${installation.id}`,
        `$ export VERCEL_API_URL=${server.url} VERCEL_TOKEN=<the emulator's demo token>`
      ].join("\n")
    )
    let mismatches = 0
    const all = steps(installation.id)
    for (const [index, step] of all.entries()) {
      yield* heading(`${index + 1}/${all.length} ${step.title}`)
      yield* Console.log(`$ mkit ${step.args.map(quote).join(" ")}`)
      const code = yield* runCli(["node", "mkit", ...step.args]).pipe(Effect.withConfigProvider(env))
      if (code !== step.exitCode) {
        mismatches++
        yield* Console.error(`demo: expected exit code ${step.exitCode}, got ${code}`)
      } else if (code !== ExitCode.ok) {
        yield* Console.log(`(exit code ${code})`)
      }
    }
    yield* heading(`Emulator state of ${installation.id}`)
    yield* Console.log(JSON.stringify(server.emulator.state.installation(installation.id), null, 2))
    const log = server.emulator.state.events()
    yield* heading(`Emulator write log (${log.length} entries)`)
    for (const entry of log) {
      const what =
        entry.operation === "updateInstallation"
          ? `PATCH  ${JSON.stringify(entry.body)}`
          : `EVENT  ${JSON.stringify(entry.event)}`
      yield* Console.log(`#${entry.sequence} ${entry.installationId} ${what}`)
    }
    if (mismatches > 0) {
      yield* Console.error(`\ndemo: ${mismatches} step(s) did not end as expected`)
      return yield* new CliExit({ code: ExitCode.failure })
    }
    yield* Console.log(`\nDone: ${all.length} commands, each with the exit code shown. Try \`mkit --help\`.`)
    if (!flags.keepOpen) return
    yield* Console.log(
      [
        "",
        `The emulator keeps running on ${server.url} with what the demo wrote.`,
        `dashboard: ${dashboardLink(server)}`,
        "Ctrl-C to stop"
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)
