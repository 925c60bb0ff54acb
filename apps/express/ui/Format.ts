/** `14:03:07` in the viewer's time zone; the full ISO time goes in a title. */
export const clock = (iso: string): string => {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString(undefined, { hour12: false })
}

/** `2 Dec 2026, 14:03` in the viewer's locale. */
export const dateTime = (iso: string): string => {
  const date = new Date(iso)
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
}

/** A value of unknown shape as one line of text (extra plan keys, event fields). */
export const plain = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value))
