import type { MarketplaceEvent, UpdateInstallationBody } from "@marketplace-kit/core"
import type { StoredOp } from "./Store.js"

/**
 * Merges consecutive PATCH bodies as applying them in order would: a later field wins, `billingPlan`
 * and `notification` are replaced whole, and `notification: null` (clear) is a value like any other.
 */
export const mergeUpdates = (bodies: ReadonlyArray<UpdateInstallationBody>): UpdateInstallationBody =>
  Object.assign({}, ...bodies) as UpdateInstallationBody

const sameEvent = (a: MarketplaceEvent, b: MarketplaceEvent): boolean =>
  JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort())

/**
 * How many of `following` (the pending ops queued right after `head`, same installation, in order)
 * one request can stand for: the run of PATCHes after a PATCH, or of identical events after an event.
 */
export const coalescible = (head: StoredOp, following: ReadonlyArray<StoredOp>): number => {
  let count = 0
  for (const next of following) {
    if (next.operation !== head.operation) break
    if (
      head.operation === "createEvent" &&
      !sameEvent(head.input as MarketplaceEvent, next.input as MarketplaceEvent)
    )
      break
    count++
  }
  return count
}
