import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { createMarketplaceClient } from "@marketplace-kit/client"
import type { BillingPlan } from "@marketplace-kit/core"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type EmulatorServer, startEmulatorServer } from "../src/EmulatorServer.js"
import { launchBrowser, screenshot } from "./support/Browser.js"

const ADMIN = "mkit_admin_dashboard_test"
const ID = "icfg_dash_0001"
const TOKEN = "dash_token_0001"

let browser: Browser
let context: BrowserContext
let server: EmulatorServer
let page: Page

beforeAll(async () => {
  browser = await launchBrowser()
}, 60_000)

afterAll(async () => {
  await browser?.close()
})

beforeEach(async () => {
  server = await startEmulatorServer({
    adminToken: ADMIN,
    installations: [
      { id: ID, token: TOKEN },
      { id: "icfg_dash_0002", token: "dash_token_0002" }
    ]
  })
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  page = await context.newPage()
  await page.goto(`${server.url}/_emulator/ui#${ADMIN}`)
  await page.getByTestId("connection").getByText("Live").waitFor()
})

afterEach(async (test) => {
  await screenshot(page, test.task.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase())
  await context.close()
  await server.close()
})

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")

const client = () => createMarketplaceClient({ token: TOKEN, baseUrl: server.url, retry: false })

// What a partner's code that skips validation sends: the client would refuse it before the network.
const sendUnchecked = (body: unknown) =>
  fetch(`${server.url}/v1/installations/${ID}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })

const PRO: BillingPlan = {
  id: "pro",
  type: "subscription",
  name: "Pro",
  cost: "$20/month",
  highlightedDetails: [{ label: "Storage", value: "100 GB" }],
  details: [{ label: "Seats", value: "10" }],
  effectiveDate: "2026-12-01T00:00:00Z"
}

describe("the dashboard in a real browser", { timeout: 30_000 }, () => {
  it("shows a billing plan set by the client without a reload", async () => {
    await client().updateInstallation(ID, {
      billingPlan: { ...PRO, description: "For growing teams", paymentMethodRequired: true, region: "iad1" }
    })
    const card = page.getByTestId("plan-card")
    // Within a second of the write.
    await expect.poll(() => card.locator(".plan-name").textContent(), { timeout: 1000 }).toBe("Pro")
    expect(await card.locator(".plan-cost").textContent()).toBe("$20/month")
    expect(await card.locator(".highlights").textContent()).toContain("100 GB")
    const meta = await card.locator(".meta .row").allTextContents()
    expect(meta).toEqual(expect.arrayContaining(["Payment methodRequired", "regioniad1"]))
    expect(await card.locator(".meta time").getAttribute("datetime")).toBe("2026-12-01T00:00:00Z")
    // Live: the same document, never reloaded.
    expect(await page.evaluate("performance.getEntriesByType('navigation').length")).toBe(1)
    // The admin token left the address bar and never went into a URL.
    expect(page.url()).toBe(`${server.url}/_emulator/ui`)
  })

  it("shows a warn notification with the warn style, and removes it when cleared", async () => {
    await client().setNotification(ID, {
      level: "warn",
      title: "Usage at 90%",
      message: "You have used 90% of your plan.",
      href: "https://example.com/usage"
    })
    const banner = page.getByTestId("notification")
    await banner.waitFor({ timeout: 2000 })
    expect(await banner.getAttribute("data-level")).toBe("warn")
    expect(await banner.getAttribute("class")).toContain("banner-warn")
    // The level is written out, not only coloured.
    expect(await banner.textContent()).toContain("Warning:")
    expect(await page.getByTestId("notification-title").textContent()).toBe("Usage at 90%")
    const link = banner.getByRole("link")
    expect(await link.getAttribute("href")).toBe("https://example.com/usage")
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer")
    await client().clearNotification(ID)
    await banner.waitFor({ state: "detached", timeout: 2000 })
  })

  it("shows a string notification as an info banner", async () => {
    await client().setNotification(ID, "Your database is ready")
    const banner = page.getByTestId("notification")
    await banner.waitFor({ timeout: 2000 })
    expect(await banner.getAttribute("data-level")).toBe("info")
    expect(await page.getByTestId("notification-title").textContent()).toBe("Your database is ready")
  })

  it("shows both event types on the timeline in the order they were sent", async () => {
    await client().installationUpdated(ID, "pro")
    await client().resourceUpdated(ID, "db_main", "postgres")
    await client().installationUpdated(ID)
    const entries = page.getByTestId("timeline").locator("li")
    await expect.poll(() => entries.count(), { timeout: 2000 }).toBe(3)
    const rows = await entries.evaluateAll((items) =>
      items.map((item) => ({
        sequence: Number(item.getAttribute("data-sequence")),
        kind: item.getAttribute("data-kind"),
        text: item.textContent
      }))
    )
    // Newest first: the reverse of the sending order, with sequence numbers going down by one.
    expect(rows.map((row) => [row.sequence, row.kind])).toEqual([
      [3, "installation.updated"],
      [2, "resource.updated"],
      [1, "installation.updated"]
    ])
    expect(rows[1]!.text).toContain("resourceId db_main")
    expect(rows[1]!.text).toContain("productId postgres")
    expect(rows[2]!.text).toContain("billingPlanId pro")
    expect(rows[2]!.text).toMatch(/\d\d:\d\d:\d\d/)
  })

  it("reset empties the page again", async () => {
    await client().updateInstallation(ID, {
      billingPlan: { id: "pro", type: "subscription", name: "Pro" },
      notification: { level: "error", title: "Payment failed" },
      status: "suspended"
    })
    await client().resourceUpdated(ID, "db_main")
    await page.getByTestId("plan-card").waitFor({ timeout: 2000 })
    await page.getByTestId("reset").click()
    await page.getByTestId("plan-empty").waitFor({ timeout: 2000 })
    expect(await page.getByTestId("notification").count()).toBe(0)
    expect(await page.getByTestId("timeline").count()).toBe(0)
    expect(await page.getByTestId("installations").textContent()).not.toContain("suspended")
    expect(server.emulator.state.sequence).toBe(0)
  })

  it("renders a hostile plan name as text and runs nothing", async () => {
    const dialogs: Array<string> = []
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    const hostile = "<img src=x onerror=alert(1)>"
    await client().updateInstallation(ID, {
      billingPlan: {
        id: "evil",
        type: "prepayment",
        name: hostile,
        description: "<script>alert(2)</script>",
        details: [{ label: "<b>bold</b>", value: "<svg onload=alert(3)>" }]
      },
      notification: { level: "info", title: "<img src=y onerror=alert(4)>" }
    })
    const name = page.getByTestId("plan-card").locator(".plan-name")
    await expect.poll(() => name.textContent(), { timeout: 2000 }).toBe(hostile)
    expect(await page.locator("#app img, #app script, #app svg, #app b").count()).toBe(0)
    expect(await page.getByTestId("notification-title").textContent()).toBe("<img src=y onerror=alert(4)>")
    expect(dialogs).toEqual([])
  })

  it("serves the page with a strict Content-Security-Policy that the page itself keeps", async () => {
    const response = await fetch(`${server.url}/_emulator/ui`)
    const csp = response.headers.get("content-security-policy") ?? ""
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain("unsafe-inline")
    expect(response.headers.get("x-content-type-options")).toBe("nosniff")
    // An inline script is refused; the page's own code runs (it rendered and is live).
    const blocked = await page.evaluate(`new Promise((resolve) => {
      document.addEventListener("securitypolicyviolation", (event) => resolve(event.violatedDirective), { once: true })
      const script = document.createElement("script")
      script.textContent = "window.injected = true"
      document.body.append(script)
    })`)
    expect(blocked).toMatch(/^script-src/)
    expect(await page.evaluate("window.injected === undefined")).toBe(true)
  })

  it("reaches every control with the keyboard alone", async () => {
    await client().setNotification(ID, { level: "info", title: "Hello", href: "https://example.com/" })
    await page.getByTestId("notification").waitFor({ timeout: 2000 })
    const controls = await page
      .locator(":is(button, a[href], input, select, textarea):not(:disabled)")
      .evaluateAll((elements) => elements.map((element) => element.outerHTML))
    expect(controls.length).toBeGreaterThanOrEqual(4)
    const reached = new Set<string>()
    for (let i = 0; i < controls.length + 3; i++) {
      await page.keyboard.press("Tab")
      reached.add(await page.evaluate("document.activeElement?.outerHTML ?? ''"))
    }
    for (const control of controls) expect(reached).toContain(control)
    // And they work from the keyboard: choose the second installation with Enter.
    await page.getByRole("button", { name: /icfg_dash_0002/ }).focus()
    await page.keyboard.press("Enter")
    await expect.poll(() => page.getByTestId("customer").textContent()).toContain("icfg_dash_0002")
  })

  it("has no serious or critical axe-core violation, in light and dark", async () => {
    await client().updateInstallation(ID, {
      billingPlan: PRO,
      notification: { level: "warn", title: "Usage at 90%", href: "https://example.com/usage" },
      status: "ready"
    })
    await client().resourceUpdated(ID, "db_main", "postgres")
    await client().installationUpdated(ID, "pro")
    await sendUnchecked({ notification: { level: "urgent", title: "" } })
    await expect.poll(() => page.getByTestId("request").count(), { timeout: 2000 }).toBe(4)
    // Evaluated through the DevTools protocol, which the page's CSP does not govern.
    await page.evaluate(AXE)
    for (const colorScheme of ["dark", "light"] as const) {
      await page.emulateMedia({ colorScheme })
      const { passes, violations } = (await page.evaluate(`axe.run(document).then((result) => ({
        passes: result.passes.length,
        violations: result.violations
          .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
          .map((violation) => ({ id: violation.id, nodes: violation.nodes.map((node) => node.target.join(" ")) }))
      }))`)) as { passes: number; violations: unknown }
      // The scan ran its rules (colour contrast among them) on a page with content.
      expect(passes).toBeGreaterThan(10)
      expect({ colorScheme, violations }).toEqual({ colorScheme, violations: [] })
    }
  })

  it("fits a narrow window without sideways scrolling", async () => {
    await client().updateInstallation(ID, {
      billingPlan: {
        id: "team",
        type: "subscription",
        name: "Team plan with a rather long name that has to wrap",
        cost: "$49/month",
        highlightedDetails: [
          { label: "Databases", value: "Unlimited" },
          { label: "Storage", value: "250 GB" }
        ]
      },
      notification: {
        level: "error",
        title: "Payment failed",
        message: "Update your card to keep the plan."
      },
      externalId: "cus_0123456789abcdefghijklmnopqrstuvwxyz"
    })
    await client().resourceUpdated(ID, "db_with_a_long_identifier_0123456789", "postgres")
    await page.getByTestId("timeline").waitFor({ timeout: 2000 })
    for (const width of [390, 800]) {
      await page.setViewportSize({ width, height: 844 })
      const overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
      expect({ width, overflow }).toEqual({ width, overflow: 0 })
      await screenshot(page, `narrow-${width}`)
    }
  })

  it("lists a refused body in the request log with its status and every field path", async () => {
    const response = await sendUnchecked({
      billingPlan: { id: "pro", type: "monthly", name: "" },
      status: "sleeping"
    })
    expect(response.status).toBe(400)
    await client().updateInstallation(ID, { status: "ready" })
    const rows = page.getByTestId("request")
    await expect.poll(() => rows.count(), { timeout: 2000 }).toBe(2)
    const refused = rows.nth(1)
    expect(await refused.getAttribute("data-status")).toBe("400")
    const text = await refused.textContent()
    expect(text).toContain(`PATCH /v1/installations/${ID}`)
    expect(text).toContain("bad_request")
    expect(text).toContain(response.headers.get("x-vercel-id")!)
    const paths = await refused.locator(".issue-path").allTextContents()
    expect(paths).toEqual(expect.arrayContaining(["billingPlan.type", "billingPlan.name", "status"]))
    expect(await rows.nth(0).getAttribute("data-status")).toBe("204")
  })

  it("issues a new installation token without showing it, and the old one stops working", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url })
    await page.getByTestId("issue-token").click()
    const issued = page.getByTestId("issued-token")
    await issued.waitFor({ timeout: 2000 })
    await issued.getByRole("button", { name: "Copy token" }).click()
    await issued.getByRole("button", { name: "Copied" }).waitFor({ timeout: 2000 })
    const token = (await page.evaluate("navigator.clipboard.readText()")) as string
    expect(token.length).toBeGreaterThan(16)
    expect(await issued.textContent()).toContain(`…${token.slice(-4)}`)
    // Never in the page in full, as text or in an attribute.
    expect(await page.content()).not.toContain(token)
    await expect(client().updateInstallation(ID, { status: "ready" })).rejects.toMatchObject({
      _tag: "Forbidden"
    })
    await createMarketplaceClient({ token, baseUrl: server.url, retry: false }).updateInstallation(ID, {
      status: "ready"
    })
    expect(server.emulator.state.installation(ID)?.status).toBe("ready")
  })

  it("sets the running emulator's rate limit and chaos from the controls", async () => {
    await page.getByLabel("Requests / s").fill("0.001")
    await page.getByLabel("Burst").fill("1")
    await page.getByLabel("Send Retry-After on 429").uncheck()
    await page
      .getByRole("form", { name: /Rate limit/ })
      .getByRole("button", { name: "Apply" })
      .click()
    await expect
      .poll(() => page.getByTestId("rate-limit-current").textContent(), { timeout: 2000 })
      .toBe("0.001/s, burst 1, no Retry-After")
    expect(server.emulator.rateLimit).toEqual({ requestsPerSecond: 0.001, burst: 1, retryAfter: false })
    await client().resourceUpdated(ID, "db_main")
    await expect(client().resourceUpdated(ID, "db_main")).rejects.toMatchObject({ _tag: "RateLimited" })
    const rows = page.getByTestId("request")
    await expect.poll(() => rows.first().getAttribute("data-status"), { timeout: 2000 }).toBe("429")
    await page
      .getByRole("form", { name: /Rate limit/ })
      .getByRole("button", { name: "Turn off" })
      .click()
    await expect
      .poll(() => page.getByTestId("rate-limit-current").textContent(), { timeout: 2000 })
      .toBe("off")

    await page.getByLabel("Error rate").fill("1")
    await page.getByRole("form", { name: /Chaos/ }).getByRole("button", { name: "Apply" }).click()
    await expect
      .poll(() => page.getByTestId("chaos-current").textContent(), { timeout: 2000 })
      .toBe("seed 1, error 1")
    await expect(client().resourceUpdated(ID, "db_main")).rejects.toMatchObject({ _tag: "ServerError" })
    await expect.poll(() => rows.first().textContent(), { timeout: 2000 }).toContain("chaos: error")
    await page.getByRole("form", { name: /Chaos/ }).getByRole("button", { name: "Turn off" }).click()
    await expect.poll(() => page.getByTestId("chaos-current").textContent(), { timeout: 2000 }).toBe("off")
    expect(server.emulator.chaos).toBeUndefined()
  })

  it("reconnects by itself when the emulator restarts, and shows the new emulator's state", async () => {
    const { port } = server
    await server.close()
    const connection = page.getByTestId("connection")
    await expect.poll(() => connection.textContent(), { timeout: 5000 }).toBe("Reconnecting…")
    server = await startEmulatorServer({ port, adminToken: ADMIN, installations: [{ id: ID, token: TOKEN }] })
    await expect.poll(() => connection.textContent(), { timeout: 10_000 }).toBe("Live")
    await client().updateInstallation(ID, { billingPlan: { id: "pro", type: "subscription", name: "After" } })
    await expect
      .poll(() => page.getByTestId("plan-card").locator(".plan-name").textContent(), { timeout: 2000 })
      .toBe("After")
    expect(await page.getByTestId("installations").locator("li").count()).toBe(1)
  })

  it("asks for the admin token without a link's fragment, and keeps it only in session storage", async () => {
    page = await context.newPage()
    await page.goto(`${server.url}/_emulator/ui`)
    const input = page.getByLabel("Admin token")
    await input.fill("not-the-admin-token")
    await page.getByRole("button", { name: "Open the dashboard" }).click()
    await page.getByText("The emulator refused that admin token.").waitFor({ timeout: 2000 })
    await input.fill(ADMIN)
    await page.getByRole("button", { name: "Open the dashboard" }).click()
    await page.getByTestId("connection").getByText("Live").waitFor({ timeout: 2000 })
    expect(await page.evaluate("sessionStorage.getItem('mkit.adminToken')")).toBe(ADMIN)
    expect(await page.evaluate("localStorage.length")).toBe(0)
    expect(page.url()).toBe(`${server.url}/_emulator/ui`)
    // A reload in the same tab stays signed in.
    await page.reload()
    await page.getByTestId("connection").getByText("Live").waitFor({ timeout: 2000 })
  })
})
