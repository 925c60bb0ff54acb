/** The escape character that starts every ANSI control sequence. */
export const ESC = String.fromCharCode(27)
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, "g")

/** Text in bold on a terminal. */
export const bold = (text: string): string => `${ESC}[1m${text}${ESC}[0m`

/** Removes color and style escapes. */
export const strip = (text: string): string => text.replace(SGR, "")

/** Whether a stream should receive colors: a TTY, and `NO_COLOR` unset. */
export const wantsColor = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && (process.env.NO_COLOR ?? "") === ""

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }

/**
 * Text from elsewhere (a server's error code and message, a request id) made safe to print: every
 * control character, line separator and bidi override is shown as an escape (`\x1b`, `\r`,
 * `\u202e`), so it cannot clear the screen, retitle the terminal or overwrite the progress line.
 */
export const escapeControl = (text: string): string =>
  text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0)
    return (
      SHORT[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`)
    )
  })
