import * as z from "zod/mini"

/** One problem with an input: where (`billingPlan.type`) and what. */
export interface ValidationIssue {
  readonly path: string
  readonly message: string
}

/** The outcome of validating an input against a core schema. */
export type ValidationResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly issues: ReadonlyArray<ValidationIssue>; readonly message: string }

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** Renders a path like `billingPlan.details[0].label`; the root is `(root)`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else if (typeof key === "string" && IDENTIFIER.test(key)) out += out === "" ? key : `.${key}`
    else out += `[${JSON.stringify(String(key))}]`
  }
  return out === "" ? "(root)" : out
}

const describe = (input: unknown): string => {
  if (input === null) return "null"
  if (Array.isArray(input)) return "array"
  if (typeof input === "string") {
    return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)
  }
  if (typeof input === "number" || typeof input === "boolean") return String(input)
  return typeof input
}

const quoteAll = (values: ReadonlyArray<unknown>): string =>
  values.map((value) => JSON.stringify(value)).join(" | ")

const FORMAT_NAMES: Record<string, string> = {
  datetime: "an ISO-8601 date-time with offset",
  url: "an absolute http(s) URL"
}

type Issue = z.core.$ZodIssue

// A union failed: report the branch that got furthest on this input, so
// `notification.level` is blamed rather than "expected object | string".
const unionIssues = (issue: Issue & { code: "invalid_union" }): ReadonlyArray<Issue> | undefined => {
  const matching = issue.errors.filter(
    (branch) => !branch.some((inner) => inner.code === "invalid_type" && inner.path.length === 0)
  )
  return matching.length === 1 ? matching[0] : undefined
}

const flatten = (issue: Issue, prefix: ReadonlyArray<PropertyKey>): Array<ValidationIssue> => {
  const path = [...prefix, ...issue.path]
  const at = (message: string) => [{ path: formatPath(path), message }]
  const received = "input" in issue ? `, received ${describe(issue.input)}` : ""
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined && "input" in issue
        ? at(`required (expected ${issue.expected})`)
        : at(`expected ${issue.expected}${received}`)
    case "invalid_value":
      return at(
        issue.input === undefined
          ? `required (expected ${quoteAll(issue.values)})`
          : `expected ${quoteAll(issue.values)}${received}`
      )
    case "unrecognized_keys":
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: "unknown field" }))
    case "invalid_format":
      return at(`expected ${FORMAT_NAMES[issue.format] ?? issue.format}${received}`)
    case "too_small":
      return at(
        issue.origin === "string" && issue.minimum === 1
          ? "must not be empty"
          : `must have at least ${issue.minimum} ${issue.origin === "string" ? "characters" : "items"}`
      )
    case "too_big":
      return at(`must have at most ${issue.maximum} ${issue.origin === "string" ? "characters" : "items"}`)
    case "invalid_union": {
      // A discriminated union reports the whole object as input; name the discriminator's value instead.
      const { discriminator, options } = issue as { discriminator?: string; options?: ReadonlyArray<unknown> }
      if (discriminator !== undefined && options !== undefined) {
        const value = (issue.input as Record<string, unknown> | undefined)?.[discriminator]
        return at(
          value === undefined
            ? `required (expected ${quoteAll(options)})`
            : `expected ${quoteAll(options)}, received ${describe(value)}`
        )
      }
      const branch = unionIssues(issue)
      if (branch) return branch.flatMap((inner) => flatten(inner, path))
      const expected = issue.errors
        .flatMap((b) => b.filter((inner) => inner.code === "invalid_type" && inner.path.length === 0))
        .map((inner) => (inner as { expected: string }).expected)
      return at(expected.length > 0 ? `expected ${expected.join(" | ")}${received}` : issue.message)
    }
    default:
      return at(issue.message)
  }
}

/** Turns zod issues into path-named issues. */
export const toValidationIssues = (issues: ReadonlyArray<Issue>): Array<ValidationIssue> =>
  issues.flatMap((issue) => flatten(issue, []))

/** One line for humans: `billingPlan.type: expected "prepayment" | "subscription", received "monthly"`. */
export const formatIssues = (issues: ReadonlyArray<ValidationIssue>): string =>
  issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")

/** Validates `input` with a core schema, returning data or path-named issues and their one-line message. */
export const validate = <S extends z.core.$ZodType>(
  schema: S,
  input: unknown
): ValidationResult<z.output<S>> => {
  const result = z.safeParse(schema, input, { reportInput: true })
  if (result.success) return { success: true, data: result.data }
  const issues = toValidationIssues(result.error.issues)
  return { success: false, issues, message: formatIssues(issues) }
}
