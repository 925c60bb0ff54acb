import * as z from "zod/mini"
import { BillingPlan } from "./BillingPlan.js"
import { Notification } from "./Notification.js"

/** Longest id we accept; Vercel's are ~30 characters, this leaves ample room. */
export const MAX_INTEGRATION_CONFIGURATION_ID_LENGTH = 256

/**
 * The `{integrationConfigurationId}` path parameter. It is always URL-encoded
 * into paths, but `/`, `.` and `..` are refused outright because URL
 * resolution would still turn them into a different path.
 */
export const IntegrationConfigurationId = z.string().check(
  z.minLength(1),
  z.maxLength(MAX_INTEGRATION_CONFIGURATION_ID_LENGTH),
  z.refine((id) => !id.includes("/"), { message: 'must not contain "/"' }),
  z.refine((id) => id !== "." && id !== "..", { message: 'must not be "." or ".."' })
)
/** An installation (integration configuration) id such as `icfg_…`. */
export type IntegrationConfigurationId = z.infer<typeof IntegrationConfigurationId>

/** Lifecycle states a partner may report for an installation. */
export const InstallationStatus = z.enum([
  "ready",
  "pending",
  "onboarding",
  "suspended",
  "resumed",
  "uninstalled",
  "error"
])
/** An installation status. */
export type InstallationStatus = z.infer<typeof InstallationStatus>

/**
 * Body of `PATCH /v1/installations/{id}`. Every field is optional (`{}` is a
 * valid no-op), `notification: null` clears the current notification, and
 * unknown top-level keys are rejected as the spec's `additionalProperties: false` says.
 */
export const UpdateInstallationBody = z.strictObject({
  billingPlan: z.optional(BillingPlan),
  notification: z.optional(z.nullable(Notification)),
  status: z.optional(InstallationStatus),
  externalId: z.optional(z.string().check(z.minLength(1)))
})
/** A validated update-installation body. */
export type UpdateInstallationBody = z.infer<typeof UpdateInstallationBody>
