import * as z from "zod/mini"

// A string, else `fallback`: what `z.catch` does here, without the part of zod (all of its `util`
// namespace) that `z.catch` pulls into every bundle of the client.
const stringOr = (fallback: string) =>
  z.pipe(
    z.optional(z.unknown()),
    z.transform((value): string => (typeof value === "string" ? value : fallback))
  )

/** Vercel's error body, `{ error: { code, message, ...extra } }`, read leniently. */
export const VercelErrorBody = z.object({
  error: z.looseObject({
    code: stringOr("unknown_error"),
    message: stringOr("")
  })
})
/** A Vercel error body. */
export type VercelErrorBody = z.infer<typeof VercelErrorBody>
/** The inner `error` object of a Vercel error body. */
export type VercelErrorDetail = VercelErrorBody["error"]

/** Reads a Vercel error from a response body (parsed JSON or raw text); `undefined` when it is not one. */
export const parseVercelError = (body: unknown): VercelErrorDetail | undefined => {
  let value = body
  if (typeof body === "string") {
    try {
      value = JSON.parse(body)
    } catch {
      return undefined
    }
  }
  const parsed = VercelErrorBody.safeParse(value)
  return parsed.success ? parsed.data.error : undefined
}

/** Builds a Vercel-shaped error body. */
export const vercelError = (
  code: string,
  message: string,
  extra: Record<string, unknown> = {}
): VercelErrorBody => ({ error: { ...extra, code, message } })
