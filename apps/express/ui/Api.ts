/** The inspection API's base, `/_emulator/`, found from the page's own URL (`/_emulator/ui`). */
export const apiBase = (): string => new URL(".", location.href).href

/** Calls the inspection API with the admin token; resolves with the response, throws a readable error. */
export const call = async (
  token: string,
  method: string,
  path: string,
  body?: unknown
): Promise<Response> => {
  const response = await fetch(new URL(path, apiBase()), {
    method,
    headers:
      body === undefined
        ? { authorization: `Bearer ${token}` }
        : { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store"
  })
  if (!response.ok) {
    const text = await response.text()
    let message = text
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text
    } catch {
      // Not JSON: the text itself is the message.
    }
    throw new Error(`${method} ${path}: ${response.status} ${message}`.trim())
  }
  return response
}
