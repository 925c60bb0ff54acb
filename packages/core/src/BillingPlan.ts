import * as z from "zod"

/** The two billing models Vercel understands. */
export const BillingPlanType = z.enum(["prepayment", "subscription"])
/** `"prepayment" | "subscription"`. */
export type BillingPlanType = z.infer<typeof BillingPlanType>

/** One `{ label, value? }` row shown under a plan on Vercel's dashboard. */
export const BillingPlanDetail = z.strictObject({
  label: z.string(),
  value: z.string().optional()
})
/** A plan detail row. */
export type BillingPlanDetail = z.infer<typeof BillingPlanDetail>

/**
 * The installation-level billing plan. Vercel's spec allows extra keys on the
 * plan (and only there), so unknown keys are kept rather than stripped.
 */
export const BillingPlan = z.looseObject({
  id: z.string().min(1),
  type: BillingPlanType,
  name: z.string().min(1),
  description: z.string().optional(),
  paymentMethodRequired: z.boolean().optional(),
  cost: z.string().optional(),
  details: z.array(BillingPlanDetail).optional(),
  highlightedDetails: z.array(BillingPlanDetail).optional(),
  effectiveDate: z.iso.datetime({ offset: true }).optional()
})
/** A billing plan, including any extra keys the partner sent. */
export type BillingPlan = z.infer<typeof BillingPlan>
