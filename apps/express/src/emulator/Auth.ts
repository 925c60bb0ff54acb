import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { invalidToken, missingBearer } from "../Bearer.js"
import { HttpError } from "../HttpError.js"
import type { InstallationSeed } from "./Seed.js"

// Hashing first gives equal-length inputs, so the comparison time says nothing about the token.
const digest = (token: string): Buffer => createHash("sha256").update(token).digest()

/** Compares two secrets in constant time. */
export const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b))

/** Token lifetimes of {@link InstallationAuth}. */
export interface TokenOptions {
  /** Lifetime of every seeded token without its own `expiresAt`, and of every issued token; default: forever. */
  readonly tokenTtlMs?: number | undefined
  /** The clock, in epoch ms (tests move it). */
  readonly now?: () => number
}

/** A token issued by {@link InstallationAuth.issue}; `expiresAt` is `null` for a token that never expires. */
export interface IssuedToken {
  readonly token: string
  readonly expiresAt: string | null
}

interface Credential {
  readonly digest: Buffer
  expiresAtMs: number
}

/**
 * Decides, like Vercel, whether a bearer token may act on an installation. Each installation has one
 * or more tokens (more while a rotated one is in its grace period), each with an optional expiry.
 */
export class InstallationAuth {
  private credentials = new Map<string, Array<Credential>>()
  private readonly ttlMs: number
  private readonly now: () => number

  constructor(
    private readonly seed: ReadonlyArray<InstallationSeed>,
    options: TokenOptions = {}
  ) {
    const { tokenTtlMs = Number.POSITIVE_INFINITY, now = Date.now } = options
    if (!(tokenTtlMs > 0)) throw new RangeError(`tokenTtlMs must be a positive number, got ${tokenTtlMs}`)
    this.ttlMs = tokenTtlMs
    this.now = now
    this.reset()
  }

  /** Back to the seed's tokens (their lifetimes start again). */
  reset(): void {
    const now = this.now()
    this.credentials = new Map(
      this.seed.map((installation) => [
        installation.id,
        [
          {
            digest: digest(installation.token),
            expiresAtMs:
              installation.expiresAt === undefined ? now + this.ttlMs : Date.parse(installation.expiresAt)
          }
        ]
      ])
    )
  }

  /** Whether the installation exists. */
  has(id: string): boolean {
    return this.credentials.has(id)
  }

  /**
   * Missing or malformed bearer → 403 `missingToken`; a token that is nobody's, or expired → 403
   * `invalidToken`; another installation's valid token → 403 (no flag); an unknown installation
   * asked for with some installation's valid token → 404. Every credential is compared, so the
   * time taken says nothing about which one matched.
   */
  check(id: string, token: string | undefined): HttpError | undefined {
    if (token === undefined) return missingBearer()
    const presented = digest(token)
    const now = this.now()
    let own = false
    let elsewhere = false
    for (const [installation, credentials] of this.credentials) {
      for (const credential of credentials) {
        const valid = timingSafeEqual(credential.digest, presented) && credential.expiresAtMs > now
        if (installation === id) own = own || valid
        else elsewhere = elsewhere || valid
      }
    }
    if (own) return undefined
    if (!elsewhere) return invalidToken()
    return this.credentials.has(id)
      ? HttpError.of(403, "Not authorized")
      : HttpError.of(404, `Installation ${JSON.stringify(id)} not found`)
  }

  /**
   * Issues a new token for an installation. Its other tokens stop working at once, or after
   * `graceMs` (never later than they would have anyway). `undefined` for an unknown installation.
   */
  issue(id: string, graceMs = 0): IssuedToken | undefined {
    const credentials = this.credentials.get(id)
    if (credentials === undefined) return undefined
    const now = this.now()
    const token = `mkit_emu_${randomBytes(24).toString("base64url")}`
    const expiresAtMs = now + this.ttlMs
    const kept = credentials.filter((credential) => credential.expiresAtMs > now && graceMs > 0)
    for (const credential of kept) credential.expiresAtMs = Math.min(credential.expiresAtMs, now + graceMs)
    this.credentials.set(id, [...kept, { digest: digest(token), expiresAtMs }])
    return {
      token,
      expiresAt: Number.isFinite(expiresAtMs) ? new Date(expiresAtMs).toISOString() : null
    }
  }
}
