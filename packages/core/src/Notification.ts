import * as z from "zod/mini"

/** Severity of a notification shown to the customer. */
export const NotificationLevel = z.enum(["info", "warn", "error"])
/** `"info" | "warn" | "error"`. */
export type NotificationLevel = z.infer<typeof NotificationLevel>

/** An absolute `http:` or `https:` URL (the pattern carries the protocol rule into JSON Schema). */
export const HttpUrl = z.url({ protocol: /^https?$/ }).check(z.meta({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" }))

/** The structured form of a notification. */
export const NotificationObject = z.strictObject({
  level: NotificationLevel,
  title: z.string().check(z.minLength(1)),
  message: z.optional(z.string()),
  href: z.optional(HttpUrl)
})
/** A structured notification. */
export type NotificationObject = z.infer<typeof NotificationObject>

/** A notification: the structured object, or a plain non-empty string. */
export const Notification = z.union([NotificationObject, z.string().check(z.minLength(1))])
/** A notification as sent in an update body (`null` is handled by the body). */
export type Notification = z.infer<typeof Notification>
