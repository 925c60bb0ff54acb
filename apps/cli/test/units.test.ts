import {
  BadRequest,
  ClientError,
  Forbidden,
  NotFound,
  RateLimited,
  ServerError,
  Timeout,
  TransportError,
  Unauthorized,
  ValidationError
} from "@marketplace-kit/client"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import { ESC } from "../src/Ansi.js"
import { LineSplitter, parseLine } from "../src/BulkLine.js"
import { parseDuration } from "../src/Durations.js"
import { parseChaos, parseRateLimit } from "../src/EmulatorFlags.js"
import * as Progress from "../src/Progress.js"
import { exitCodeOf } from "../src/Report.js"
import { scrub } from "../src/TerminalConsole.js"
import { UsageError } from "../src/UsageError.js"

const fields = { method: "PATCH" as const, path: "/v1/installations/x", attempts: 1, message: "m" }

describe("exit codes", () => {
  it("maps every failure to its documented code", () => {
    expect(
      [
        new UsageError({ message: "m" }),
        new ValidationError({ ...fields, issues: [] }),
        new BadRequest(fields),
        new Unauthorized(fields),
        new Forbidden(fields),
        new NotFound(fields),
        new RateLimited(fields),
        new ServerError(fields),
        new TransportError(fields),
        new Timeout(fields),
        new ClientError(fields)
      ].map((error) => [error._tag, exitCodeOf(error)])
    ).toEqual([
      ["UsageError", 2],
      ["ValidationError", 2],
      ["BadRequest", 2],
      ["Unauthorized", 3],
      ["Forbidden", 3],
      ["NotFound", 4],
      ["RateLimited", 5],
      ["ServerError", 6],
      ["TransportError", 6],
      ["Timeout", 6],
      ["ClientError", 1]
    ])
  })
})

describe("bulk lines", () => {
  const split = (...chunks: Array<string>) => {
    const splitter = new LineSplitter()
    return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()]
  }

  it("numbers lines as editors do, skipping blank ones and CRs", () => {
    expect(split('{"a":1}\r\n\n  \n{"b":2}')).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 4, text: '{"b":2}' }
    ])
  })

  it("skips a UTF-8 BOM and ends lines at LF, CRLF and a lone CR, wherever the chunks are cut", () => {
    const text = '\uFEFF{"a":1}\r{"b":2}\r\n\r\n{"c":3}\n{"d":4}'
    const expected = [
      { number: 1, text: '{"a":1}' },
      { number: 2, text: '{"b":2}' },
      { number: 4, text: '{"c":3}' },
      { number: 5, text: '{"d":4}' }
    ]
    expect(split(text)).toEqual(expected)
    for (let cut = 0; cut <= text.length; cut++) {
      expect(split(text.slice(0, cut), text.slice(cut)), `cut at ${cut}`).toEqual(expected)
    }
    expect(split(...text)).toEqual(expected)
    expect(split("\uFEFF")).toEqual([])
  })

  it("reads both operations and reports every problem of a bad one", () => {
    expect(parseLine('{"op":"event","id":"icfg_1","event":{"type":"installation.updated"}}')).toEqual(
      Either.right({ operation: "createEvent", id: "icfg_1", input: { type: "installation.updated" } })
    )
    expect(parseLine('{"op":"update","id":"a/b","body":{"notification":{"level":"info"}},"x":1}')).toEqual(
      Either.left(
        'x: unknown field; id: must not contain "/"; body.notification.title: required (expected string)'
      )
    )
    expect(parseLine('{"op":"update","id":"icfg_1"}')).toEqual(
      Either.left("body: required (expected object)")
    )
    expect(parseLine('"text"')).toEqual(Either.left('expected a JSON object, received "text"'))
  })
})

describe("flag values", () => {
  it("parses durations, a bare number being seconds", () => {
    expect(parseDuration("timeout", "250ms")).toEqual(Either.right(Duration.millis(250)))
    expect(parseDuration("timeout", "1.5s")).toEqual(Either.right(Duration.seconds(1.5)))
    expect(parseDuration("timeout", "2m")).toEqual(Either.right(Duration.minutes(2)))
    expect(parseDuration("timeout", "3")).toEqual(Either.right(Duration.seconds(3)))
    expect(Either.isLeft(parseDuration("timeout", "-1s"))).toBe(true)
  })

  it("parses --rate-limit and --chaos, naming what is wrong", () => {
    expect(parseRateLimit("10/s,burst=20")).toEqual(Either.right({ requestsPerSecond: 10, burst: 20 }))
    expect(parseRateLimit("0.5")).toEqual(Either.right({ requestsPerSecond: 0.5 }))
    expect(parseRateLimit("0/s")).toEqual(
      Either.left('--rate-limit: expected a rate such as 10/s, received "0/s"')
    )
    expect(parseChaos("seed=9,error=0.2,drop=0.1,stall=0.05,stall-ms=500,latency=5-20")).toEqual(
      Either.right({
        seed: 9,
        errorRate: 0.2,
        dropRate: 0.1,
        stallRate: 0.05,
        stallMs: 500,
        latencyMs: { min: 5, max: 20 }
      })
    )
    expect(parseChaos("error=2")).toEqual(
      Either.left('--chaos: error: expected a rate between 0 and 1, received "2"')
    )
    expect(parseChaos("latency=9-3")).toEqual(
      Either.left('--chaos: latency: expected milliseconds, or a range such as 10-50, received "9-3"')
    )
  })
})

describe("output", () => {
  it("scrubs real-length secrets only", () => {
    expect(scrub("Bearer abcdefgh12 and abcdefgh12", ["abcdefgh12"])).toBe("Bearer <redacted> and <redacted>")
    expect(scrub("a bad port", ["bad"])).toBe("a bad port")
  })

  it("draws a progress bar on a terminal and clears it at the end", async () => {
    const written: Array<string> = []
    const stream = {
      isTTY: true,
      write: (text: string) => written.push(text)
    } as unknown as NodeJS.WriteStream
    await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(Progress.start("bulk", 4, stream), (progress) =>
          Effect.zipRight(
            Effect.sync(() => {
              progress.done(true)
              progress.done(false)
            }),
            // One redraw (every 100 ms) shows the counts.
            Effect.sleep("150 millis")
          )
        )
      )
    )
    expect(written[0]).toMatch(/bulk \[░{24}\] 0\/4 · 0 ok · 0 failed/)
    expect(written).toContainEqual(
      expect.stringMatching(/bulk \[█{12}░{12}\] 2\/4 · 1 ok · 1 failed · [\d.]+\/s$/)
    )
    expect(written.at(-1)).toBe(`\r${ESC}[2K`)
  })
})
