import * as Duration from "effect/Duration"
import * as Either from "effect/Either"

const UNITS: Record<string, (n: number) => Duration.Duration> = {
  ms: Duration.millis,
  s: Duration.seconds,
  m: Duration.minutes,
  h: Duration.hours
}

/** Parses a flag value such as `500ms`, `10s`, `1.5s`, `2m` or `1h`; a bare number means seconds. */
export const parseDuration = (flag: string, text: string): Either.Either<Duration.Duration, string> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (match === null) {
    return Either.left(
      `--${flag}: expected a duration such as 500ms, 10s or 2m, received ${JSON.stringify(text)}`
    )
  }
  return Either.right(UNITS[match[2] ?? "s"]!(Number(match[1])))
}
