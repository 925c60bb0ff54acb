import type { RequestRecord } from "../src/emulator/RequestLog.js"
import { clock } from "./Format.js"

const outcome = (status: number | null): string =>
  status === null ? "dropped" : status < 300 ? "ok" : status < 500 ? "refused" : "failed"

// A long path may wrap before a slash rather than anywhere inside a segment.
const breakable = (path: string) =>
  path
    .split("/")
    .flatMap((segment, index) => (index === 0 ? [segment] : [<wbr key={index} />, `/${segment}`]))

const Row = ({ record }: { record: RequestRecord }) => (
  <tr data-testid="request" data-status={record.status ?? "dropped"}>
    <td class="mono">
      <time dateTime={record.at} title={record.at}>
        {clock(record.at)}
      </time>
    </td>
    <td>
      <span class="method">{record.method}</span> <span class="mono path">{breakable(record.path)}</span>
    </td>
    <td>
      <span class={`http http-${outcome(record.status)}`}>
        {record.status ?? "none"} <span class="http-word">{outcome(record.status)}</span>
      </span>
      {record.chaos === undefined ? null : <span class="tag chaos-tag">chaos: {record.chaos}</span>}
    </td>
    <td class="mono number">{Math.round(record.durationMs)} ms</td>
    <td class="mono request-id" title={record.requestId}>
      {record.requestId}
    </td>
    <td class="error-cell">
      {record.error === undefined ? null : (
        <p>
          <code>{record.error.code}</code> {record.error.message}
        </p>
      )}
      {record.issues === undefined || record.issues.length === 0 ? null : (
        <ul class="issues" data-testid="issues">
          {record.issues.map((issue, index) => (
            <li key={index}>
              <code class="issue-path">{issue.path === "" ? "(body)" : issue.path}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
    </td>
  </tr>
)

/**
 * Every request the emulator answered on `/v1`, newest first, accepted or refused: for a 400 each
 * field path and what is wrong with it, the detail Vercel's own 400 bodies leave out.
 */
export const RequestLog = ({ requests }: { requests: ReadonlyArray<RequestRecord> }) =>
  requests.length === 0 ? (
    <p class="empty">No requests yet.</p>
  ) : (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it.
    <section class="table-scroll" aria-label="Requests, newest first" tabIndex={0}>
      <table class="requests" data-testid="requests">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Request</th>
            <th scope="col">Status</th>
            <th scope="col">Latency</th>
            <th scope="col">Request id</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {[...requests].reverse().map((record) => (
            <Row key={record.id} record={record} />
          ))}
        </tbody>
      </table>
    </section>
  )
