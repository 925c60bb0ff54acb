import * as Args from "@effect/cli/Args"
import type * as Command from "@effect/cli/Command"
import { optionalText } from "./Flag.js"
import type { globalOptions } from "./GlobalOptions.js"

/** Arguments and own flags (global flags aside) of `mkit event send`. */
export const eventOptions = {
  id: Args.text({ name: "id" }).pipe(Args.withDescription("Installation (integration configuration) id.")),
  type: Args.text({ name: "type" }).pipe(
    Args.withDescription("Event type: installation.updated or resource.updated.")
  ),
  billingPlanId: optionalText(
    "billing-plan-id",
    "id",
    "installation.updated: the plan the installation is now on."
  ),
  resourceId: optionalText("resource-id", "id", "resource.updated: the resource that changed (required)."),
  productId: optionalText("product-id", "id", "resource.updated: the product of that resource.")
} as const

/** The parsed arguments of `mkit event send`. */
export type EventFlags = Command.Command.ParseConfig<
  typeof eventOptions & { readonly global: typeof globalOptions }
>
