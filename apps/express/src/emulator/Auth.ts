import { createHash, timingSafeEqual } from "node:crypto"
import { missingBearer } from "../Bearer.js"
import { HttpError } from "../HttpError.js"
import type { InstallationSeed } from "./Seed.js"

// Hashing first gives equal-length inputs, so the comparison time says nothing about the token.
const digest = (token: string): Buffer => createHash("sha256").update(token).digest()

/** Compares two secrets in constant time. */
export const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b))

/** Decides, like Vercel, whether a bearer token may act on an installation. */
export class InstallationAuth {
  private readonly digests: ReadonlyMap<string, Buffer>

  constructor(installations: ReadonlyArray<InstallationSeed>) {
    this.digests = new Map(installations.map((installation) => [installation.id, digest(installation.token)]))
  }

  /** Whether the installation exists. */
  has(id: string): boolean {
    return this.digests.has(id)
  }

  /**
   * Missing or malformed bearer → 401; a token that is not this installation's → 403; an unknown
   * installation asked for with a token valid for another → 404 (with an unknown token → 403).
   */
  check(id: string, token: string | undefined): HttpError | undefined {
    if (token === undefined) {
      return missingBearer()
    }
    const presented = digest(token)
    const expected = this.digests.get(id)
    if (expected !== undefined) {
      return timingSafeEqual(expected, presented) ? undefined : HttpError.of(403, "Not authorized")
    }
    let validElsewhere = false
    for (const other of this.digests.values())
      validElsewhere = timingSafeEqual(other, presented) || validElsewhere
    return validElsewhere
      ? HttpError.of(404, `Installation ${JSON.stringify(id)} not found`)
      : HttpError.of(403, "Not authorized")
  }
}
