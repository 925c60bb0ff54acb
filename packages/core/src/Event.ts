import * as z from "zod/mini"

/** Tells Vercel an installation changed on the partner's side (e.g. its plan). */
export const InstallationUpdatedEvent = z.strictObject({
  type: z.literal("installation.updated"),
  billingPlanId: z.optional(z.string().check(z.minLength(1)))
})
/** An `installation.updated` event. */
export type InstallationUpdatedEvent = z.infer<typeof InstallationUpdatedEvent>

/** Tells Vercel a resource changed on the partner's side (renamed, suspended…). */
export const ResourceUpdatedEvent = z.strictObject({
  type: z.literal("resource.updated"),
  resourceId: z.string().check(z.minLength(1)),
  productId: z.optional(z.string().check(z.minLength(1)))
})
/** A `resource.updated` event. */
export type ResourceUpdatedEvent = z.infer<typeof ResourceUpdatedEvent>

/** Either event, discriminated on `type`. */
export const MarketplaceEvent = z.discriminatedUnion("type", [InstallationUpdatedEvent, ResourceUpdatedEvent])
/** An event a partner can send. */
export type MarketplaceEvent = z.infer<typeof MarketplaceEvent>
/** The event type names. */
export type MarketplaceEventType = MarketplaceEvent["type"]

/** Body of `POST /v1/installations/{id}/events`. */
export const CreateEventBody = z.strictObject({ event: MarketplaceEvent })
/** A validated create-event body. */
export type CreateEventBody = z.infer<typeof CreateEventBody>
