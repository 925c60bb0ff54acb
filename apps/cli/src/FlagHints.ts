import { formatIssues, type ValidationIssue } from "@marketplace-kit/core"
import type { FlagIssue } from "./UsageError.js"

/** Which flag sets which body field, longest prefix first where they overlap. */
export type FlagMap = ReadonlyArray<readonly [field: string, flag: string]>

const covers = (field: string, path: string) =>
  path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`)

/** Names the flag behind each issue, so `billingPlan.type` also says `--plan-type`. */
export const withFlags = (issues: ReadonlyArray<ValidationIssue>, flags: FlagMap): ReadonlyArray<FlagIssue> =>
  issues.map((issue) => {
    const flag = flags.find(([field]) => covers(field, issue.path))?.[1]
    return flag === undefined ? issue : { ...issue, flag }
  })

/** One line: `billingPlan.type (--plan-type): expected …; notification.title (--notify-title): required …`. */
export const formatFlagIssues = (issues: ReadonlyArray<FlagIssue>): string =>
  formatIssues(
    issues.map((issue) =>
      issue.flag === undefined ? issue : { ...issue, path: `${issue.path} (${issue.flag})` }
    )
  )
