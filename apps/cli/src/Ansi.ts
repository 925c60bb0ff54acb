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
