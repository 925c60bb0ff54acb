import {
  type MarketplaceEvent,
  MarketplaceEvent as MarketplaceEventSchema,
  validate
} from "@marketplace-kit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type FlagMap, formatFlagIssues, withFlags } from "./FlagHints.js"
import type { EventFlags } from "./options/EventOptions.js"
import { UsageError } from "./UsageError.js"

const EVENT_FLAGS: FlagMap = [
  ["type", "<type>"],
  ["billingPlanId", "--billing-plan-id"],
  ["resourceId", "--resource-id"],
  ["productId", "--product-id"]
]

/** Turns `mkit event send` arguments into a validated event; problems name the field and its flag. */
export const eventFromFlags = (flags: EventFlags): Effect.Effect<MarketplaceEvent, UsageError> => {
  const raw = Object.fromEntries(
    Object.entries({
      type: flags.type,
      billingPlanId: Option.getOrUndefined(flags.billingPlanId),
      resourceId: Option.getOrUndefined(flags.resourceId),
      productId: Option.getOrUndefined(flags.productId)
    }).filter(([, value]) => value !== undefined)
  )
  const result = validate(MarketplaceEventSchema, raw)
  if (result.success) return Effect.succeed(result.data)
  const issues = withFlags(result.issues, EVENT_FLAGS)
  return Effect.fail(new UsageError({ message: `invalid event: ${formatFlagIssues(issues)}`, issues }))
}
