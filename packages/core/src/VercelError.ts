import * as z from "zod/mini"

/** Vercel's error body, `{ error: { code, message, ...extra } }`, read leniently. */
export const VercelErrorBody = z.object({
  error: z.looseObject({
    code: z.catch(z.string(), "unknown_error"),
    message: z.catch(z.string(), "")
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
