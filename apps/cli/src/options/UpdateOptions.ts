import * as Args from "@effect/cli/Args"
import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { optionalText, toggle } from "./Flag.js"
import type { globalOptions } from "./GlobalOptions.js"

/** Arguments and own flags (global flags aside) of `mkit installation update`. */
export const updateOptions = {
  id: Args.text({ name: "id" }).pipe(
    Args.withDescription("Installation (integration configuration) id, e.g. icfg_…")
  ),
  body: optionalText(
    "body",
    "file|-",
    "Raw JSON body from a file, or - for stdin. Excludes every other body flag."
  ),
  planFile: optionalText(
    "plan-file",
    "file|-",
    "Billing plan JSON from a file, or - for stdin. Excludes the --plan-* flags."
  ),
  planId: optionalText("plan-id", "id", "Billing plan id."),
  planType: optionalText("plan-type", "type", "Billing plan type: prepayment or subscription."),
  planName: optionalText("plan-name", "name", "Billing plan display name."),
  planCost: optionalText("plan-cost", "cost", 'Billing plan cost as shown, e.g. "$20/month".'),
  planDescription: optionalText("plan-description", "text", "Billing plan description."),
  planEffectiveDate: optionalText(
    "plan-effective-date",
    "date",
    "When the plan takes effect (ISO-8601 with offset)."
  ),
  paymentMethodRequired: toggle(
    "payment-method-required",
    "Mark the plan as requiring a payment method (to send false, use --plan-file)."
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
  notifyLevel: optionalText("notify-level", "level", "Notification level: info, warn or error."),
  notifyTitle: optionalText("notify-title", "title", "Notification title."),
  notifyMessage: optionalText("notify-message", "text", "Notification message."),
  notifyHref: optionalText("notify-href", "url", "Notification link (absolute http(s) URL)."),
  notifyText: optionalText(
    "notify-text",
    "text",
    "A plain-text notification (instead of --notify-level/--notify-title)."
  ),
  clearNotification: toggle(
    "clear-notification",
    "Clear the current notification (sends notification: null)."
  ),
  status: optionalText(
    "status",
    "status",
    "Installation status: ready, pending, onboarding, suspended, resumed, uninstalled, error."
  ),
  externalId: optionalText("external-id", "id", "Your own id for this installation.")
} as const

/** The parsed arguments of `mkit installation update`. */
export type UpdateFlags = Command.Command.ParseConfig<
  typeof updateOptions & { readonly global: typeof globalOptions }
>
