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

/** Splits NDJSON text into numbered lines, skipping blank ones. */
export const splitLines = (text: string): ReadonlyArray<BulkLine> =>
  text
    .split("\n")
    .map((line, index) => ({ number: index + 1, text: line.endsWith("\r") ? line.slice(0, -1) : line }))
    .filter((line) => line.text.trim() !== "")

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
