/**
 * Tokens shorter than this are not scrubbed from text the server sent: replacing a short string
 * (a test token `t`) everywhere it occurs would corrupt the text around it (`not_found` →
 * `no<redacted>_found`). Real Vercel tokens are far longer. The client never prints a token itself.
 */
export const minScrubbedTokenLength = 8

const REDACTED = "<redacted>"

const escapeRegExp = (char: string) => char.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&")

// Every way JSON may spell one character: as itself, as `\uXXXX` (any case), or its short escape.
const jsonForms = (char: string): string => {
  const hex = char.charCodeAt(0).toString(16).padStart(4, "0")
  const unicode = `\\\\u${[...hex].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit)).join("")}`
  const short = char === '"' || char === "\\" || char === "/" ? `|\\\\${escapeRegExp(char)}` : ""
  return `(?:${escapeRegExp(char)}|${unicode}${short})`
}

/**
 * Returns a function replacing `token` in server text with `<redacted>`: the token as it is and in
 * any JSON-escaped spelling (`\u0074…`, mixed with plain characters). The identity for tokens shorter
 * than `minScrubbedTokenLength`.
 * @internal
 */
export const scrubber = (token: string): ((text: string) => string) => {
  if (token.length < minScrubbedTokenLength) return (text) => text
  const pattern = new RegExp([...token].map(jsonForms).join(""), "g")
  // `includes` first: the regex only runs on text that has a backslash or the token itself.
  return (text) => (text.includes(token) || text.includes("\\") ? text.replace(pattern, REDACTED) : text)
}

/** Applies `scrub` to every string in a parsed JSON value, keys included. @internal */
export const scrubDeep = <A>(value: A, scrub: (text: string) => string): A => {
  if (typeof value === "string") return scrub(value) as A
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, scrub)) as A
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [scrub(key), scrubDeep(item, scrub)])
    ) as A
  }
  return value
}
