/** Token-bucket rate limit applied per bearer token and endpoint (per client address when there is no token). */
export interface RateLimitOptions {
  /** Sustained rate: tokens added to each bucket per second. */
  readonly requestsPerSecond: number
  /** Bucket size: requests allowed in a burst (default: `requestsPerSecond`, at least 1). */
  readonly burst?: number
  /**
   * Whether a 429 carries `Retry-After` (default `true`). With `false` only the `X-RateLimit-*`
   * headers and the body's `limit` object tell when to retry, to test a client's fallback.
   */
  readonly retryAfter?: boolean
}

/** The outcome of taking one request from a bucket. */
export interface RateLimitDecision {
  readonly allowed: boolean
  /** Bucket size (`X-RateLimit-Limit`). */
  readonly limit: number
  /** Whole requests left (`X-RateLimit-Remaining`). */
  readonly remaining: number
  /** Epoch ms when the bucket is full again (`X-RateLimit-Reset` is this in seconds). */
  readonly resetMs: number
  /** When refused: ms until one request is allowed again. */
  readonly retryAfterMs: number
}

interface Bucket {
  tokens: number
  updatedMs: number
}

// Idle buckets are dropped once there are this many, so random tokens cannot grow memory forever.
const PRUNE_AT = 10_000

/** Token buckets keyed by caller. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly rate: number
  private readonly burst: number
  /** Whether a 429 carries `Retry-After`. */
  readonly retryAfter: boolean
  /** The options in effect, defaults filled in. */
  readonly options: Required<RateLimitOptions>

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = Date.now
  ) {
    const {
      requestsPerSecond,
      burst = Math.max(1, Math.floor(requestsPerSecond)),
      retryAfter = true
    } = options
    if (typeof retryAfter !== "boolean") throw new RangeError("rateLimit.retryAfter must be true or false")
    if (
      typeof requestsPerSecond !== "number" ||
      !(requestsPerSecond > 0) ||
      !Number.isFinite(requestsPerSecond)
    ) {
      throw new RangeError(`rateLimit.requestsPerSecond must be a positive number, got ${requestsPerSecond}`)
    }
    if (!Number.isInteger(burst) || burst < 1) {
      throw new RangeError(`rateLimit.burst must be a positive integer, got ${burst}`)
    }
    this.rate = requestsPerSecond / 1000
    this.burst = burst
    this.retryAfter = retryAfter
    this.options = { requestsPerSecond, burst, retryAfter }
  }

  /** Takes one request from `key`'s bucket if it has one. */
  take(key: string): RateLimitDecision {
    const now = this.now()
    const bucket = this.refill(key, now)
    const allowed = bucket.tokens >= 1
    if (allowed) bucket.tokens -= 1
    return {
      allowed,
      limit: this.burst,
      remaining: Math.floor(bucket.tokens),
      resetMs: Math.ceil(now + (this.burst - bucket.tokens) / this.rate),
      retryAfterMs: allowed ? 0 : Math.ceil((1 - bucket.tokens) / this.rate)
    }
  }

  private refill(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key)
    if (bucket === undefined) {
      if (this.buckets.size >= PRUNE_AT) this.prune(now)
      const fresh = { tokens: this.burst, updatedMs: now }
      this.buckets.set(key, fresh)
      return fresh
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedMs) * this.rate)
    bucket.updatedMs = now
    return bucket
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedMs) * this.rate >= this.burst) this.buckets.delete(key)
    }
  }
}
