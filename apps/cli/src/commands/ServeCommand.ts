import { emulatorBanner, startEmulatorServer } from "@marketplace-kit/express"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { parseChaos, parseRateLimit } from "../EmulatorFlags.js"
import { CliExit, ExitCode } from "../ExitCode.js"
import type { ServeFlags } from "../options/ServeOptions.js"

const fromEither = <A>(flag: Option.Option<string>, parse: (text: string) => Either.Either<A, string>) =>
  Option.match(flag, {
    onNone: () => Effect.succeed(undefined),
    onSome: (text) =>
      Either.match(parse(text), {
        onLeft: (message) =>
          Effect.zipRight(Console.error(`mkit: ${message}`), new CliExit({ code: ExitCode.usage })),
        onRight: (value) => Effect.succeed(value)
      })
  })

/** `mkit serve`: runs the emulator until interrupted (Ctrl-C), then closes it cleanly. */
export const run = (flags: ServeFlags): Effect.Effect<void, CliExit> =>
  Effect.gen(function* () {
    const rateLimit = yield* fromEither(flags.rateLimit, parseRateLimit)
    const chaos = yield* fromEither(flags.chaos, parseChaos)
    const server = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          startEmulatorServer({
            port: flags.port,
            host: flags.host,
            log: (line) => process.stdout.write(`${line}\n`),
            seedFile: Option.getOrUndefined(flags.seed),
            dataFile: Option.getOrUndefined(flags.data),
            rateLimit,
            chaos
          }),
        catch: (cause) => (cause instanceof Error ? cause.message : String(cause))
      }),
      (started) => Effect.promise(() => started.close())
    ).pipe(
      Effect.catchAll((message) =>
        Effect.zipRight(
          Console.error(`mkit: cannot start the emulator: ${message}`),
          new CliExit({ code: ExitCode.failure })
        )
      )
    )
    const [first] = server.emulator.usesDemoSeed ? server.emulator.installations : []
    yield* Console.log(
      [
        ...emulatorBanner(server, { adminTokenGiven: false, dataFile: Option.getOrUndefined(flags.data) }),
        ...(first === undefined
          ? []
          : [
              `try: VERCEL_API_URL=${server.url} VERCEL_TOKEN=${first.token} mkit installation update ${first.id} --status ready`
            ]),
        "Ctrl-C to stop; each request is logged below"
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)
