import * as Args from "@effect/cli/Args"
import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { globalOptions } from "./GlobalOptions.js"

const text = (name: string, value: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName(value),
    Options.withDescription(description),
    Options.optional
  )

/** Arguments and own flags (global flags aside) of `mkit installation update`. */
export const updateOptions = {
  id: Args.text({ name: "id" }).pipe(
    Args.withDescription("Installation (integration configuration) id, e.g. icfg_…")
  ),
  body: text("body", "file|-", "Raw JSON body from a file, or - for stdin. Excludes every other body flag."),
  planFile: text(
    "plan-file",
    "file|-",
    "Billing plan JSON from a file, or - for stdin. Excludes the --plan-* flags."
  ),
  planId: text("plan-id", "id", "Billing plan id."),
  planType: text("plan-type", "type", "Billing plan type: prepayment or subscription."),
  planName: text("plan-name", "name", "Billing plan display name."),
  planCost: text("plan-cost", "cost", 'Billing plan cost as shown, e.g. "$20/month".'),
  planDescription: text("plan-description", "text", "Billing plan description."),
  planEffectiveDate: text(
    "plan-effective-date",
    "date",
    "When the plan takes effect (ISO-8601 with offset)."
  ),
  paymentMethodRequired: Options.boolean("payment-method-required").pipe(
    Options.withDescription("Mark the plan as requiring a payment method (to send false, use --plan-file).")
  ),
  planDetail: Options.text("plan-detail").pipe(
    Options.withPseudoName("label=value"),
    Options.withDescription("A plan detail row as label=value (or just label); repeatable."),
    Options.repeated
  ),
  planHighlight: Options.text("plan-highlight").pipe(
    Options.withPseudoName("label=value"),
    Options.withDescription("A highlighted plan detail row as label=value; repeatable."),
    Options.repeated
  ),
  notifyLevel: text("notify-level", "level", "Notification level: info, warn or error."),
  notifyTitle: text("notify-title", "title", "Notification title."),
  notifyMessage: text("notify-message", "text", "Notification message."),
  notifyHref: text("notify-href", "url", "Notification link (absolute http(s) URL)."),
  notifyText: text(
    "notify-text",
    "text",
    "A plain-text notification (instead of --notify-level/--notify-title)."
  ),
  clearNotification: Options.boolean("clear-notification").pipe(
    Options.withDescription("Clear the current notification (sends notification: null).")
  ),
  status: text(
    "status",
    "status",
    "Installation status: ready, pending, onboarding, suspended, resumed, uninstalled, error."
  ),
  externalId: text("external-id", "id", "Your own id for this installation.")
} as const

/** The parsed arguments of `mkit installation update`. */
export type UpdateFlags = Command.Command.ParseConfig<
  typeof updateOptions & { readonly global: typeof globalOptions }
>
