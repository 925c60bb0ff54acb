import * as Args from "@effect/cli/Args"
import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { globalOptions } from "./GlobalOptions.js"

const text = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName("id"),
    Options.withDescription(description),
    Options.optional
  )

/** Arguments and own flags (global flags aside) of `mkit event send`. */
export const eventOptions = {
  id: Args.text({ name: "id" }).pipe(Args.withDescription("Installation (integration configuration) id.")),
  type: Args.text({ name: "type" }).pipe(
    Args.withDescription("Event type: installation.updated or resource.updated.")
  ),
  billingPlanId: text("billing-plan-id", "installation.updated: the plan the installation is now on."),
  resourceId: text("resource-id", "resource.updated: the resource that changed (required)."),
  productId: text("product-id", "resource.updated: the product of that resource.")
} as const

/** The parsed arguments of `mkit event send`. */
export type EventFlags = Command.Command.ParseConfig<
  typeof eventOptions & { readonly global: typeof globalOptions }
>
