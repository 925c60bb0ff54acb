import { readFileSync } from "node:fs"
import { IntegrationConfigurationId, validate } from "@marketplace-kit/core"
import { isSendableToken } from "../Bearer.js"

/** One installation the emulator knows, and the bearer token that may act on it. */
export interface InstallationSeed {
  readonly id: string
  readonly token: string
  /** When the token stops working (ISO-8601 date-time); after it, requests get 403 `invalidToken`. */
  readonly expiresAt?: string
}

/** The emulator's seed file format: `{ "installations": [ { "id": "icfg_…", "token": "…", "expiresAt"? } ] }`. */
export interface EmulatorSeed {
  readonly installations: ReadonlyArray<InstallationSeed>
}

/** The built-in installations used when no seed is given; the standalone server prints them on start. */
export const DEMO_SEED: EmulatorSeed = {
  installations: [
    { id: "icfg_demo_0001", token: "mkit_demo_token_0001" },
    { id: "icfg_demo_0002", token: "mkit_demo_token_0002" }
  ]
}

// RFC 3339 date-time with a zone, which is what Date.parse reads the same everywhere.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i

/** Checks installations (ids as core defines them, sendable tokens, no duplicate ids); throws naming the entry. */
export const checkInstallations = (
  installations: unknown,
  source: string
): ReadonlyArray<InstallationSeed> => {
  if (!Array.isArray(installations)) throw new Error(`${source}: installations: expected an array`)
  const seen = new Set<string>()
  return installations.map((entry: unknown, index) => {
    const at = `${source}: installations[${index}]`
    const { id, token, expiresAt } = (typeof entry === "object" && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >
    const checked = validate(IntegrationConfigurationId, id)
    if (!checked.success) throw new Error(`${at}.id: ${checked.issues[0]?.message}`)
    if (typeof token !== "string" || !isSendableToken(token)) {
      throw new Error(`${at}.token: expected a non-empty string of visible ASCII characters`)
    }
    if (
      expiresAt !== undefined &&
      (typeof expiresAt !== "string" || !DATE_TIME.test(expiresAt) || Number.isNaN(Date.parse(expiresAt)))
    ) {
      throw new Error(`${at}.expiresAt: expected an ISO-8601 date-time such as 2030-01-01T00:00:00Z`)
    }
    if (seen.has(checked.data))
      throw new Error(`${at}.id: duplicate installation ${JSON.stringify(checked.data)}`)
    seen.add(checked.data)
    return { id: checked.data, token, expiresAt }
  })
}

/** Reads and checks a seed file. */
export const loadSeedFile = (path: string): EmulatorSeed => {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"))
  } catch (cause) {
    throw new Error(`seed file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
  const installations = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >
  return { installations: checkInstallations(installations.installations, `seed file ${path}`) }
}
