import type { LogEntry } from "../src/emulator/State.js"
import { clock } from "./Format.js"

const changes = (entry: Extract<LogEntry, { operation: "updateInstallation" }>): string => {
  const { billingPlan, notification, status, externalId } = entry.body
  const parts = [
    billingPlan === undefined ? undefined : `plan ${billingPlan.name}`,
    notification === undefined
      ? undefined
      : notification === null
        ? "notification cleared"
        : "notification set",
    status === undefined ? undefined : `status ${status}`,
    externalId === undefined ? undefined : `externalId ${externalId}`
  ].filter((part) => part !== undefined)
  return parts.length === 0 ? "no change" : parts.join(", ")
}

const Entry = ({ entry }: { entry: LogEntry }) => {
  const [kind, detail] =
    entry.operation === "createEvent"
      ? entry.event.type === "installation.updated"
        ? [
            entry.event.type,
            entry.event.billingPlanId === undefined ? "" : `billingPlanId ${entry.event.billingPlanId}`
          ]
        : [
            entry.event.type,
            [
              `resourceId ${entry.event.resourceId}`,
              entry.event.productId === undefined ? undefined : `productId ${entry.event.productId}`
            ]
              .filter((part) => part !== undefined)
              .join(", ")
          ]
      : ["update", changes(entry)]
  return (
    <li class={`entry entry-${entry.operation}`} data-sequence={entry.sequence} data-kind={kind}>
      <span class="entry-sequence">#{entry.sequence}</span>
      <time class="entry-time" dateTime={entry.at} title={entry.at}>
        {clock(entry.at)}
      </time>
      <span class="entry-kind">{kind}</span>
      <span class="entry-detail">{detail}</span>
      <span class="entry-installation">{entry.installationId}</span>
    </li>
  )
}

/** Every acknowledged write, newest first: events with their fields, updates with what they changed. */
export const Timeline = ({ events }: { events: ReadonlyArray<LogEntry> }) =>
  events.length === 0 ? (
    <p class="empty">No writes yet.</p>
  ) : (
    <ol class="timeline" data-testid="timeline" reversed>
      {[...events].reverse().map((entry) => (
        <Entry key={entry.sequence} entry={entry} />
      ))}
    </ol>
  )
