import { useState } from "preact/hooks"
import type { ChaosOptions } from "../src/emulator/Chaos.js"
import type { RateLimitOptions } from "../src/emulator/RateLimiter.js"

/** The rate limit and chaos the emulator runs with now (`null`: off). */
export interface Settings {
  readonly rateLimit: RateLimitOptions | null
  readonly chaos: ChaosOptions | null
}

/** Runs one control action; the page reports its progress and outcome. */
export type Act = (label: string, run: () => Promise<unknown>) => void

/** Calls the inspection API (path relative to `/_emulator/`). */
export type Call = (method: string, path: string, body?: unknown) => Promise<Response>

const describeRateLimit = (limit: RateLimitOptions | null): string =>
  limit === null
    ? "off"
    : `${limit.requestsPerSecond}/s, burst ${limit.burst ?? limit.requestsPerSecond}${limit.retryAfter === false ? ", no Retry-After" : ""}`

const describeChaos = (chaos: ChaosOptions | null): string => {
  if (chaos === null) return "off"
  const latency =
    chaos.latencyMs === undefined
      ? []
      : [
          typeof chaos.latencyMs === "number"
            ? `latency ${chaos.latencyMs} ms`
            : `latency ${chaos.latencyMs.min}–${chaos.latencyMs.max} ms`
        ]
  const rates = (["errorRate", "dropRate", "stallRate"] as const)
    .filter((key) => (chaos[key] ?? 0) > 0)
    .map((key) => `${key.replace("Rate", "")} ${chaos[key]}`)
  return [`seed ${chaos.seed}`, ...rates, ...latency].join(", ")
}

const NumberField = ({
  id,
  label,
  value,
  set,
  step = "1",
  min = "0",
  max
}: {
  id: string
  label: string
  value: string
  set(value: string): void
  step?: string
  min?: string
  max?: string
}) => (
  <div class="field">
    <label for={id}>{label}</label>
    <input
      id={id}
      type="number"
      inputMode="decimal"
      step={step}
      min={min}
      max={max}
      value={value}
      onInput={(event) => set(event.currentTarget.value)}
    />
  </div>
)

// Apply (the form's submit) and Turn off, which is disabled while the setting is already off.
const ApplyOrTurnOff = ({ off, turnOff }: { off: boolean; turnOff(): void }) => (
  <div class="buttons">
    <button type="submit" class="primary">
      Apply
    </button>
    <button type="button" disabled={off} onClick={turnOff}>
      Turn off
    </button>
  </div>
)

const optionalNumber = (text: string): number | undefined => (text.trim() === "" ? undefined : Number(text))

const RateLimitForm = ({
  current,
  act,
  call
}: {
  current: RateLimitOptions | null
  act: Act
  call: Call
}) => {
  const [rate, setRate] = useState(String(current?.requestsPerSecond ?? 10))
  const [burst, setBurst] = useState(current?.burst === undefined ? "" : String(current.burst))
  const [retryAfter, setRetryAfter] = useState(current?.retryAfter !== false)
  return (
    <form
      class="control"
      aria-labelledby="rate-limit-heading"
      onSubmit={(event) => {
        event.preventDefault()
        act("Set the rate limit", () =>
          call("PUT", "rate-limit", {
            requestsPerSecond: Number(rate),
            burst: optionalNumber(burst),
            retryAfter
          })
        )
      }}
    >
      <h3 id="rate-limit-heading">
        Rate limit{" "}
        <span class="current" data-testid="rate-limit-current">
          {describeRateLimit(current)}
        </span>
      </h3>
      <div class="fields">
        <NumberField id="rate" label="Requests / s" value={rate} set={setRate} step="any" min="0.001" />
        <NumberField id="burst" label="Burst" value={burst} set={setBurst} min="1" />
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={retryAfter}
          onChange={(event) => setRetryAfter(event.currentTarget.checked)}
        />
        Send Retry-After on 429
      </label>
      <ApplyOrTurnOff
        off={current === null}
        turnOff={() => act("Turn the rate limit off", () => call("DELETE", "rate-limit"))}
      />
    </form>
  )
}

const ChaosForm = ({ current, act, call }: { current: ChaosOptions | null; act: Act; call: Call }) => {
  const [seed, setSeed] = useState(String(current?.seed ?? 1))
  const [error, setError] = useState(String(current?.errorRate ?? 0.1))
  const [drop, setDrop] = useState(String(current?.dropRate ?? 0))
  const [stall, setStall] = useState(String(current?.stallRate ?? 0))
  const [latency, setLatency] = useState(
    typeof current?.latencyMs === "number" ? String(current.latencyMs) : ""
  )
  return (
    <form
      class="control"
      aria-labelledby="chaos-heading"
      onSubmit={(event) => {
        event.preventDefault()
        act("Set chaos", () =>
          call("PUT", "chaos", {
            seed: Number(seed),
            errorRate: Number(error),
            dropRate: Number(drop),
            stallRate: Number(stall),
            latencyMs: optionalNumber(latency)
          })
        )
      }}
    >
      <h3 id="chaos-heading">
        Chaos{" "}
        <span class="current" data-testid="chaos-current">
          {describeChaos(current)}
        </span>
      </h3>
      <div class="fields">
        <NumberField id="chaos-seed" label="Seed" value={seed} set={setSeed} />
        <NumberField id="chaos-error" label="Error rate" value={error} set={setError} step="0.01" max="1" />
        <NumberField id="chaos-drop" label="Drop rate" value={drop} set={setDrop} step="0.01" max="1" />
        <NumberField id="chaos-stall" label="Stall rate" value={stall} set={setStall} step="0.01" max="1" />
        <NumberField id="chaos-latency" label="Latency ms" value={latency} set={setLatency} />
      </div>
      <ApplyOrTurnOff
        off={current === null}
        turnOff={() => act("Turn chaos off", () => call("DELETE", "chaos"))}
      />
    </form>
  )
}

interface Issued {
  readonly installationId: string
  readonly token: string
  readonly expiresAt: string | null
}

// Never shown in full: the last four characters tell tokens apart, the copy button hands it over.
const masked = (token: string): string => `…${token.slice(-4)}`

const TokenControl = ({
  installationId,
  act,
  call
}: {
  installationId: string | undefined
  act: Act
  call: Call
}) => {
  const [issued, setIssued] = useState<Issued | undefined>(undefined)
  const [grace, setGrace] = useState("")
  const [copied, setCopied] = useState(false)
  if (installationId === undefined) return null
  return (
    <form
      class="control"
      aria-labelledby="token-heading"
      onSubmit={(event) => {
        event.preventDefault()
        act(`Issue a new token for ${installationId}`, async () => {
          const response = await call("POST", `installations/${encodeURIComponent(installationId)}/token`, {
            graceSeconds: optionalNumber(grace)
          })
          const body = (await response.json()) as { token: string; expiresAt: string | null }
          setCopied(false)
          setIssued({ installationId, token: body.token, expiresAt: body.expiresAt })
        })
      }}
    >
      <h3 id="token-heading">
        Installation token <span class="current">{installationId}</span>
      </h3>
      <div class="fields">
        <NumberField id="grace" label="Grace for the old token, s" value={grace} set={setGrace} />
      </div>
      <div class="buttons">
        <button type="submit" class="primary" data-testid="issue-token">
          Issue a new token
        </button>
      </div>
      {issued === undefined ? null : (
        <p class="issued" data-testid="issued-token">
          New token for <code>{issued.installationId}</code> ends in <code>{masked(issued.token)}</code>
          {issued.expiresAt === null
            ? ", no expiry"
            : `, expires ${new Date(issued.expiresAt).toLocaleString()}`}
          .{" "}
          <button
            type="button"
            onClick={() =>
              navigator.clipboard.writeText(issued.token).then(
                () => setCopied(true),
                () => setCopied(false)
              )
            }
          >
            {copied ? "Copied" : "Copy token"}
          </button>
        </p>
      )}
    </form>
  )
}

/** Reset, a new installation token, and the rate limit and chaos of the running emulator. */
export const Controls = ({
  settings,
  installationId,
  act,
  call
}: {
  settings: Settings
  installationId: string | undefined
  act: Act
  call: Call
}) => (
  <>
    <TokenControl installationId={installationId} act={act} call={call} />
    <RateLimitForm current={settings.rateLimit} act={act} call={call} />
    <ChaosForm current={settings.chaos} act={act} call={call} />
    <div class="control">
      <h3>Reset</h3>
      <p class="hint">Installations back to their seed; the write and request logs emptied.</p>
      <button
        type="button"
        class="danger"
        data-testid="reset"
        onClick={() => act("Reset", () => call("POST", "reset"))}
      >
        Reset the emulator
      </button>
    </div>
  </>
)
