import { useEffect, useState } from "preact/hooks"
import type { RequestRecord } from "../src/emulator/RequestLog.js"
import { apiBase, call } from "./Api.js"
import { Controls, type Settings } from "./Controls.js"
import { Installations, StatusBadge } from "./Installations.js"
import {
  applyRequest,
  applySettings,
  applyWrite,
  empty,
  type Model,
  type Snapshot,
  type Write
} from "./Model.js"
import { NotificationBanner } from "./NotificationBanner.js"
import { PlanCard } from "./PlanCard.js"
import { RequestLog } from "./RequestLog.js"
import { forgetToken, saveToken } from "./Session.js"
import { type Connection, follow } from "./Stream.js"
import { Timeline } from "./Timeline.js"

const CONNECTION: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  unauthorized: "Not signed in"
}

const SignIn = ({ refused, signIn }: { refused: boolean; signIn(token: string): void }) => {
  const [token, setToken] = useState("")
  return (
    <main class="sign-in">
      <h1>Vercel Marketplace emulator</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (token.trim() !== "") signIn(token.trim())
        }}
      >
        <p>
          {refused
            ? "The emulator refused that admin token."
            : "Open the dashboard link that `mkit serve` prints, or enter the emulator's admin token."}
        </p>
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          type="password"
          autoComplete="off"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <button type="submit">Open the dashboard</button>
      </form>
    </main>
  )
}

/** The dashboard: installations, what the chosen one's customer sees, the timeline, the request log, controls. */
export const App = ({ initialToken }: { initialToken: string | undefined }) => {
  // A new object per sign-in, so typing the same token again after a refusal connects again.
  const [session, setSession] = useState(initialToken === undefined ? undefined : { token: initialToken })
  const token = session?.token
  const [model, setModel] = useState<Model>(empty)
  const [connection, setConnection] = useState<Connection>("connecting")
  const [chosen, setChosen] = useState<string | undefined>(undefined)
  const [notice, setNotice] = useState("")

  useEffect(() => {
    if (session === undefined) return
    return follow(new URL("stream", apiBase()).href, session.token, {
      connection: (state) => {
        if (state === "unauthorized") forgetToken()
        setConnection(state)
      },
      message: ({ event, data }) => {
        if (event === "snapshot") setModel(JSON.parse(data) as Snapshot)
        else if (event === "write") setModel((current) => applyWrite(current, JSON.parse(data) as Write))
        else if (event === "request")
          setModel((current) => applyRequest(current, JSON.parse(data) as RequestRecord))
        else if (event === "settings")
          setModel((current) => applySettings(current, JSON.parse(data) as Settings))
      }
    })
  }, [session])

  if (token === undefined || connection === "unauthorized") {
    return (
      <SignIn
        refused={token !== undefined}
        signIn={(typed) => {
          saveToken(typed)
          setConnection("connecting")
          setSession({ token: typed })
        }}
      />
    )
  }

  const selected =
    model.installations.find((installation) => installation.id === chosen) ?? model.installations[0]
  const act = (label: string, run: () => Promise<unknown>) => {
    setNotice(`${label}…`)
    run().then(
      () => setNotice(`${label}: done`),
      (error: unknown) =>
        setNotice(`${label} failed: ${error instanceof Error ? error.message : String(error)}`)
    )
  }

  return (
    <>
      <header class="top">
        <h1>
          Vercel Marketplace emulator <span class="subtle">dashboard</span>
        </h1>
        <p class={`connection connection-${connection}`} data-testid="connection" aria-live="polite">
          <span class="dot" aria-hidden="true" />
          {CONNECTION[connection]}
        </p>
      </header>
      <main class="layout">
        <div class="sidebar">
          <section class="panel" aria-labelledby="installations-heading">
            <h2 id="installations-heading">Installations</h2>
            <Installations installations={model.installations} selected={selected?.id} select={setChosen} />
          </section>
          <section class="panel controls" aria-labelledby="controls-heading">
            <h2 id="controls-heading">Controls</h2>
            <p class="notice" role="status" data-testid="notice">
              {notice}
            </p>
            <Controls
              settings={model.settings}
              installationId={selected?.id}
              act={act}
              call={(method, path, body) => call(token, method, path, body)}
            />
          </section>
        </div>

        <section class="panel customer" aria-labelledby="customer-heading" data-testid="customer">
          <h2 id="customer-heading">
            What the customer sees {selected === undefined ? null : <span class="subtle">{selected.id}</span>}
          </h2>
          {selected === undefined ? (
            <p class="empty">No installation.</p>
          ) : (
            <>
              <NotificationBanner notification={selected.notification} />
              <p class="customer-status">
                Status <StatusBadge status={selected.status} />
              </p>
              <PlanCard plan={selected.billingPlan} />
            </>
          )}
        </section>

        <section class="panel timeline-panel" aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">
            Timeline <span class="subtle">{model.events.length} writes</span>
          </h2>
          <Timeline events={model.events} />
        </section>

        <section class="panel requests-panel" aria-labelledby="requests-heading">
          <h2 id="requests-heading">
            Request log <span class="subtle">{model.requests.length} requests</span>
          </h2>
          <RequestLog requests={model.requests} />
        </section>
      </main>
    </>
  )
}
