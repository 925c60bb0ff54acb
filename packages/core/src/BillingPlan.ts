import * as z from "zod/mini"

/** The two billing models Vercel understands. */
export const BillingPlanType = z.enum(["prepayment", "subscription"])
/** `"prepayment" | "subscription"`. */
export type BillingPlanType = z.infer<typeof BillingPlanType>

/** One `{ label, value? }` row shown under a plan on Vercel's dashboard. */
export const BillingPlanDetail = z.strictObject({
  label: z.string(),
  value: z.optional(z.string())
})
/** A plan detail row. */
export type BillingPlanDetail = z.infer<typeof BillingPlanDetail>

/**
 * The installation-level billing plan. Vercel's spec allows extra keys on the
 * plan (and only there), so unknown keys are kept rather than stripped.
 */
export const BillingPlan = z.looseObject({
  id: z.string().check(z.minLength(1)),
  type: BillingPlanType,
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  paymentMethodRequired: z.optional(z.boolean()),
  cost: z.optional(z.string()),
  details: z.optional(z.array(BillingPlanDetail)),
  highlightedDetails: z.optional(z.array(BillingPlanDetail)),
  effectiveDate: z.optional(z.iso.datetime({ offset: true }))
})
/** A billing plan, including any extra keys the partner sent. */
export type BillingPlan = z.infer<typeof BillingPlan>
