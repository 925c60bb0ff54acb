import {
  formatIssues,
  IntegrationConfigurationId,
  MarketplaceEvent,
  UpdateInstallationBody,
  type ValidationIssue,
  validate
} from "@marketplace-kit/core"
import * as Either from "effect/Either"
import type { Call } from "./Api.js"

/** One non-blank line of a bulk file, numbered from 1 as editors do. */
export interface BulkLine {
  readonly number: number
  readonly text: string
}

/**
 * Cuts text, fed in chunks of any size, into numbered lines as editors number them: LF, CRLF and a
 * lone CR each end a line, a leading UTF-8 BOM is skipped, and blank lines are dropped (but counted).
 */
export class LineSplitter {
  private partial = ""
  private number = 0
  private started = false
  // A chunk ended in CR: if the next one starts with LF, that LF belongs to the same line end.
  private afterCR = false

  /** The lines completed by `chunk`. */
  push(chunk: string): Array<BulkLine> {
    const out: Array<BulkLine> = []
    let text = chunk
    if (!this.started && text.length > 0) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    if (this.afterCR && text.length > 0) {
      this.afterCR = false
      if (text.charCodeAt(0) === 10) text = text.slice(1)
    }
    let start = 0
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code !== 10 && code !== 13) continue
      this.emit(this.partial + text.slice(start, i), out)
      this.partial = ""
      if (code === 13) {
        if (i + 1 === text.length) this.afterCR = true
        else if (text.charCodeAt(i + 1) === 10) i++
      }
      start = i + 1
    }
    this.partial += text.slice(start)
    return out
  }

  /** The last line, when the text did not end with a line break. */
  end(): Array<BulkLine> {
    const out: Array<BulkLine> = []
    if (this.partial !== "") this.emit(this.partial, out)
    this.partial = ""
    return out
  }

  private emit(text: string, out: Array<BulkLine>) {
    this.number++
    if (text.trim() !== "") out.push({ number: this.number, text })
  }
}

const OPS = { update: "body", event: "event" } as const

const nested = (prefix: string, issues: ReadonlyArray<ValidationIssue>) =>
  issues.map((issue) => ({
    ...issue,
    path:
      issue.path === "(root)"
        ? prefix
        : issue.path.startsWith("[")
          ? `${prefix}${issue.path}`
          : `${prefix}.${issue.path}`
  }))

const describe = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value))

/**
 * Reads one operation, `{"op":"update","id":…,"body":…}` or `{"op":"event","id":…,"event":…}`,
 * validating the id, body and event with core; a bad line yields every problem in one message.
 */
export const parseLine = (text: string): Either.Either<Call, string> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    return Either.left(`invalid JSON: ${(cause as Error).message}`)
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return Either.left(`expected a JSON object, received ${Array.isArray(value) ? "array" : describe(value)}`)
  }
  const line = value as Record<string, unknown>
  const op = line.op
  if (op !== "update" && op !== "event") {
    return Either.left(`op: expected "update" | "event", received ${describe(op)}`)
  }
  const payloadKey = OPS[op]
  const id = validate(IntegrationConfigurationId, line.id)
  const payload =
    op === "update" ? validate(UpdateInstallationBody, line.body) : validate(MarketplaceEvent, line.event)
  const issues: Array<ValidationIssue> = [
    ...Object.keys(line)
      .filter((key) => key !== "op" && key !== "id" && key !== payloadKey)
      .map((key) => ({ path: key, message: "unknown field" })),
    ...(id.success ? [] : nested("id", id.issues)),
    ...(payload.success ? [] : nested(payloadKey, payload.issues))
  ]
  if (issues.length > 0 || !id.success || !payload.success) return Either.left(formatIssues(issues))
  return Either.right(
    op === "update"
      ? { operation: "updateInstallation", id: id.data, input: payload.data as UpdateInstallationBody }
      : { operation: "createEvent", id: id.data, input: payload.data as MarketplaceEvent }
  )
}
