import type { EmulatorOptions } from "@marketplace-kit/express"
import * as Either from "effect/Either"

type RateLimit = NonNullable<EmulatorOptions["rateLimit"]>
type Chaos = NonNullable<EmulatorOptions["chaos"]>

const NUMBER = /^\d+(?:\.\d+)?$/

const pairs = (text: string) =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")

/** Parses `--rate-limit`: `10/s`, `10`, `10/s,burst=20`, `10/s,retry-after=off` (in any combination). */
export const parseRateLimit = (text: string): Either.Either<RateLimit, string> => {
  const [rate, ...rest] = pairs(text)
  const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(rate ?? "")
  if (match === null || Number(match[1]) <= 0) {
    return Either.left(`--rate-limit: expected a rate such as 10/s, received ${JSON.stringify(text)}`)
  }
  let burst: number | undefined
  let retryAfter: boolean | undefined
  for (const option of rest) {
    const [key, value = ""] = option.split("=")
    if (key === "retry-after" && (value === "on" || value === "off")) retryAfter = value === "on"
    else if (key === "burst" && /^\d+$/.test(value) && Number(value) >= 1) burst = Number(value)
    else {
      return Either.left(
        `--rate-limit: expected burst=<whole number ≥ 1> or retry-after=on|off, received ${JSON.stringify(option)}`
      )
    }
  }
  return Either.right({ requestsPerSecond: Number(match[1]), burst, retryAfter })
}

const RATES = { error: "errorRate", drop: "dropRate", stall: "stallRate" } as const

/** Parses `--chaos`: `seed=1,error=0.1,drop=0.05,stall=0.01,stall-ms=500,latency=20` (latency may be `10-50`). */
export const parseChaos = (text: string): Either.Either<Chaos, string> => {
  const chaos: { -readonly [K in keyof Chaos]: Chaos[K] } = { seed: 1 }
  for (const option of pairs(text)) {
    const [key = "", value = ""] = option.split("=")
    const bad = (expected: string) =>
      Either.left(`--chaos: ${key}: expected ${expected}, received ${JSON.stringify(value)}`)
    if (key === "seed" || key === "stall-ms") {
      if (!/^\d+$/.test(value)) return bad("a whole number")
      if (key === "seed") chaos.seed = Number(value)
      else chaos.stallMs = Number(value)
    } else if (key === "error" || key === "drop" || key === "stall") {
      if (!NUMBER.test(value) || Number(value) > 1) return bad("a rate between 0 and 1")
      chaos[RATES[key]] = Number(value)
    } else if (key === "latency") {
      const range = /^(\d+)-(\d+)$/.exec(value)
      if (range !== null && Number(range[1]) <= Number(range[2])) {
        chaos.latencyMs = { min: Number(range[1]), max: Number(range[2]) }
      } else if (/^\d+$/.test(value)) chaos.latencyMs = Number(value)
      else return bad("milliseconds, or a range such as 10-50")
    } else {
      return Either.left(
        `--chaos: unknown setting ${JSON.stringify(key)} (expected seed, error, drop, stall, stall-ms or latency)`
      )
    }
  }
  return Either.right(chaos)
}
