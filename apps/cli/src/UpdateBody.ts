import { UpdateInstallationBody, validate } from "@marketplace-kit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type FlagMap, formatFlagIssues, withFlags } from "./FlagHints.js"
import { readJson } from "./Input.js"
import type { UpdateFlags } from "./options/UpdateOptions.js"
import { UsageError } from "./UsageError.js"

const PLAN_FLAGS: FlagMap = [
  ["billingPlan.id", "--plan-id"],
  ["billingPlan.type", "--plan-type"],
  ["billingPlan.name", "--plan-name"],
  ["billingPlan.cost", "--plan-cost"],
  ["billingPlan.description", "--plan-description"],
  ["billingPlan.effectiveDate", "--plan-effective-date"],
  ["billingPlan.paymentMethodRequired", "--payment-method-required"],
  ["billingPlan.details", "--plan-detail"],
  ["billingPlan.highlightedDetails", "--plan-highlight"]
]

const OTHER_FLAGS: FlagMap = [
  ["notification.level", "--notify-level"],
  ["notification.title", "--notify-title"],
  ["notification.message", "--notify-message"],
  ["notification.href", "--notify-href"],
  ["status", "--status"],
  ["externalId", "--external-id"]
]

const detail = (row: string) => {
  const at = row.indexOf("=")
  return at === -1 ? { label: row } : { label: row.slice(0, at), value: row.slice(at + 1) }
}

const defined = (fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))

const some = <A>(option: Option.Option<A>) => Option.getOrUndefined(option)

const planFromFlags = (flags: UpdateFlags) =>
  defined({
    id: some(flags.planId),
    type: some(flags.planType),
    name: some(flags.planName),
    cost: some(flags.planCost),
    description: some(flags.planDescription),
    effectiveDate: some(flags.planEffectiveDate),
    paymentMethodRequired: flags.paymentMethodRequired ? true : undefined,
    details: flags.planDetail.length > 0 ? flags.planDetail.map(detail) : undefined,
    highlightedDetails: flags.planHighlight.length > 0 ? flags.planHighlight.map(detail) : undefined
  })

// Every flag that contributes to the body, by name, when given.
const givenFlags = (flags: UpdateFlags) => {
  const given: Array<string> = []
  const add = (name: string, present: boolean) => (present ? given.push(name) : undefined)
  add("--plan-file", Option.isSome(flags.planFile))
  add("--plan-*", Object.keys(planFromFlags(flags)).length > 0)
  add(
    "--notify-level/--notify-title/--notify-message/--notify-href",
    [flags.notifyLevel, flags.notifyTitle, flags.notifyMessage, flags.notifyHref].some(Option.isSome)
  )
  add("--notify-text", Option.isSome(flags.notifyText))
  add("--clear-notification", flags.clearNotification)
  add("--status", Option.isSome(flags.status))
  add("--external-id", Option.isSome(flags.externalId))
  return given
}

const conflict = (message: string) => Effect.fail(new UsageError({ message }))

const checked = (raw: unknown, flags: FlagMap, source: string) => {
  const result = validate(UpdateInstallationBody, raw)
  if (result.success) return Effect.succeed(result.data)
  const issues = withFlags(result.issues, flags)
  return Effect.fail(new UsageError({ message: `${source}: ${formatFlagIssues(issues)}`, issues }))
}

/**
 * Turns `mkit installation update` flags into a validated update body: either `--body`
 * as it is, or the body the flags describe. Problems name the field and its flag.
 */
export const updateBodyFromFlags = (flags: UpdateFlags): Effect.Effect<UpdateInstallationBody, UsageError> =>
  Effect.gen(function* () {
    const given = givenFlags(flags)
    if (Option.isSome(flags.body)) {
      if (given.length > 0) return yield* conflict(`--body cannot be combined with ${given.join(", ")}`)
      return yield* checked(yield* readJson("--body", flags.body.value), [], "invalid --body")
    }
    if (given.length === 0) {
      return yield* conflict(
        "nothing to update: give --body, a plan (--plan-file or --plan-id/--plan-type/--plan-name), " +
          "a notification (--notify-level/--notify-title, --notify-text or --clear-notification), --status or --external-id"
      )
    }
    const notificationModes = given.filter(
      (flag) => flag.startsWith("--notify") || flag === "--clear-notification"
    )
    if (notificationModes.length > 1) {
      return yield* conflict(`choose one notification form, not ${notificationModes.join(" and ")}`)
    }
    if (given.includes("--plan-file") && given.includes("--plan-*")) {
      return yield* conflict("--plan-file cannot be combined with the --plan-* flags")
    }
    const plan = Option.isSome(flags.planFile)
      ? yield* readJson("--plan-file", flags.planFile.value)
      : planFromFlags(flags)
    const notification = flags.clearNotification
      ? null
      : Option.isSome(flags.notifyText)
        ? flags.notifyText.value
        : defined({
            level: some(flags.notifyLevel),
            title: some(flags.notifyTitle),
            message: some(flags.notifyMessage),
            href: some(flags.notifyHref)
          })
    const raw = defined({
      billingPlan: Object.keys(plan ?? {}).length > 0 || Option.isSome(flags.planFile) ? plan : undefined,
      notification:
        notification === null || typeof notification === "string" || Object.keys(notification).length > 0
          ? notification
          : undefined,
      status: some(flags.status),
      externalId: some(flags.externalId)
    })
    const planFlags: FlagMap = Option.isSome(flags.planFile) ? [["billingPlan", "--plan-file"]] : PLAN_FLAGS
    const textFlag: FlagMap = Option.isSome(flags.notifyText) ? [["notification", "--notify-text"]] : []
    return yield* checked(raw, [...planFlags, ...textFlag, ...OTHER_FLAGS], "invalid flags")
  })
