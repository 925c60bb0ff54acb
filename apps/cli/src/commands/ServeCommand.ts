import { emulatorBanner, startEmulatorServer } from "@marketplace-kit/express"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { parseDuration } from "../Durations.js"
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

const positiveDuration = (text: string) =>
  Either.flatMap(parseDuration("token-ttl", text), (duration) =>
    Duration.toMillis(duration) > 0
      ? Either.right(Duration.toMillis(duration))
      : Either.left(`--token-ttl: expected a duration above 0, received ${JSON.stringify(text)}`)
  )

/**
 * `mkit serve` (and `mkit-emulator`): runs the emulator until interrupted, then closes it cleanly
 * (the data file synced and unlocked) before the process exits 130 (SIGINT) or 143 (SIGTERM).
 */
export const run = (flags: ServeFlags): Effect.Effect<void, CliExit> =>
  Effect.gen(function* () {
    const rateLimit = yield* fromEither(flags.rateLimit, parseRateLimit)
    const chaos = yield* fromEither(flags.chaos, parseChaos)
    const tokenTtlMs = yield* fromEither(flags.tokenTtl, positiveDuration)
    const server = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          startEmulatorServer({
            port: flags.port,
            host: flags.host,
            log: flags.verbose
              ? (line) =>
                  process.stdout.write(`${line}
`)
              : undefined,
            seedFile: Option.getOrUndefined(flags.seed),
            dataFile: Option.getOrUndefined(flags.data),
            adminToken: Option.getOrUndefined(Option.map(flags.adminToken, Redacted.value)),
            bodyLimit: Option.getOrUndefined(flags.bodyLimit),
            rateLimit,
            chaos,
            tokenTtlMs,
            explain: flags.explain
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
        ...emulatorBanner(server, { adminTokenGiven: Option.isSome(flags.adminToken) }),
        ...(first === undefined
          ? []
          : [
              `try: VERCEL_API_URL=${server.url} VERCEL_TOKEN=${first.token} mkit installation update ${first.id} --status ready`
            ]),
        flags.verbose
          ? "Ctrl-C to stop; each request is logged below"
          : "Ctrl-C to stop (--verbose logs each request)"
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)
