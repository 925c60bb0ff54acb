/** Seeded, deterministic fault injection: the same seed and request order give the same faults. */
export interface ChaosOptions {
  /** PRNG seed. */
  readonly seed: number
  /** Probability of answering 500, 502 or 503 (chosen evenly). */
  readonly errorRate?: number
  /** Probability of dropping the connection without an answer. */
  readonly dropRate?: number
  /** Probability of never answering (the connection is closed after `stallMs`). */
  readonly stallRate?: number
  /** How long a stalled request is held before its connection is closed (default 30 000 ms). */
  readonly stallMs?: number
  /** Latency added to every request: a fixed number of ms, or a uniform `{ min, max }` range. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number }
}

/** What chaos decided for one request. */
export type ChaosFault =
  | { readonly kind: "none"; readonly delayMs: number }
  | { readonly kind: "error"; readonly status: 500 | 502 | 503; readonly delayMs: number }
  | { readonly kind: "drop"; readonly delayMs: number }
  | { readonly kind: "stall"; readonly delayMs: number }

const STATUSES = [500, 502, 503] as const

// mulberry32: tiny, fast, and good enough to spread faults; determinism is what matters here.
const mulberry32 = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const rate = (name: string, value: number | undefined): number => {
  const r = value ?? 0
  if (typeof r !== "number" || !(r >= 0 && r <= 1))
    throw new RangeError(`chaos.${name} must be between 0 and 1, got ${value}`)
  return r
}

/** Draws one fault per request from a seeded PRNG. */
export class Chaos {
  private readonly random: () => number
  private readonly errorRate: number
  private readonly dropRate: number
  private readonly stallRate: number
  private readonly latency: { readonly min: number; readonly max: number }
  /** How long a stalled request is held. */
  readonly stallMs: number

  constructor(
    /** The options it was made with. */
    readonly options: ChaosOptions
  ) {
    if (typeof options.seed !== "number" || !Number.isFinite(options.seed))
      throw new RangeError(`chaos.seed must be a number, got ${options.seed}`)
    this.random = mulberry32(options.seed)
    this.errorRate = rate("errorRate", options.errorRate)
    this.dropRate = rate("dropRate", options.dropRate)
    this.stallRate = rate("stallRate", options.stallRate)
    if (this.errorRate + this.dropRate + this.stallRate > 1) {
      throw new RangeError("chaos.errorRate + dropRate + stallRate must not exceed 1")
    }
    const latency = options.latencyMs ?? 0
    this.latency =
      typeof latency === "number"
        ? { min: latency, max: latency }
        : typeof latency === "object" && latency !== null
          ? latency
          : { min: Number.NaN, max: Number.NaN }
    if (
      typeof this.latency.min !== "number" ||
      typeof this.latency.max !== "number" ||
      !(this.latency.min >= 0 && this.latency.max >= this.latency.min)
    ) {
      throw new RangeError(
        "chaos.latencyMs must be a non-negative number or a { min, max } range with min ≤ max"
      )
    }
    this.stallMs = options.stallMs ?? 30_000
    if (typeof this.stallMs !== "number" || !(this.stallMs >= 0))
      throw new RangeError(`chaos.stallMs must be a non-negative number, got ${options.stallMs}`)
  }

  /** The fault for the next request. Always draws the same number of values, so one decision never shifts the next. */
  next(): ChaosFault {
    const roll = this.random()
    const pick = this.random()
    const delayMs = Math.round(this.latency.min + (this.latency.max - this.latency.min) * this.random())
    if (roll < this.dropRate) return { kind: "drop", delayMs }
    if (roll < this.dropRate + this.errorRate) {
      return { kind: "error", status: STATUSES[Math.floor(pick * STATUSES.length)]!, delayMs }
    }
    if (roll < this.dropRate + this.errorRate + this.stallRate) return { kind: "stall", delayMs }
    return { kind: "none", delayMs }
  }
}
