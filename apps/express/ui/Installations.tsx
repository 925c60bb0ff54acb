import type { InstallationSnapshot } from "../src/emulator/State.js"
import { clock } from "./Format.js"

/** A status as a badge with its name written out (the colour only repeats it). */
export const StatusBadge = ({ status }: { status: string | undefined }) => (
  <span class={`status status-${status ?? "none"}`}>{status ?? "no status"}</span>
)

/** The installations, one button each; the chosen one is shown as its customer sees it. */
export const Installations = ({
  installations,
  selected,
  select
}: {
  installations: ReadonlyArray<InstallationSnapshot>
  selected: string | undefined
  select(id: string): void
}) => (
  <ul class="installations" data-testid="installations">
    {installations.map((installation) => (
      <li key={installation.id}>
        <button
          type="button"
          class="installation"
          aria-pressed={installation.id === selected}
          onClick={() => select(installation.id)}
        >
          <span class="installation-id">{installation.id}</span>
          <StatusBadge status={installation.status} />
          <span class="installation-meta">
            {installation.externalId === undefined
              ? "no externalId"
              : `externalId ${installation.externalId}`}
          </span>
          <span class="installation-meta">
            {installation.updatedAt === undefined
              ? "never updated"
              : `updated ${clock(installation.updatedAt)}`}
          </span>
        </button>
      </li>
    ))}
  </ul>
)
