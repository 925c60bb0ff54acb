import { createMarketplaceClient } from "@marketplace-kit/client"
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

const client = () => createMarketplaceClient({ token: TOKEN, baseUrl: server.url, retry: false })

describe("the dashboard in a real browser", { timeout: 30_000 }, () => {
  it("shows a billing plan set by the client without a reload", async () => {
    await client().updateInstallation(ID, {
      billingPlan: {
        id: "pro",
        type: "subscription",
        name: "Pro",
        cost: "$20/month",
        description: "For growing teams",
        highlightedDetails: [{ label: "Storage", value: "100 GB" }],
        details: [{ label: "Seats", value: "10" }]
      }
    })
    const card = page.getByTestId("plan-card")
    await expect.poll(() => card.locator(".plan-name").textContent(), { timeout: 2000 }).toBe("Pro")
    expect(await card.locator(".plan-cost").textContent()).toBe("$20/month")
    expect(await card.locator(".highlights").textContent()).toContain("100 GB")
    // Live: the same document, never reloaded.
    expect(await page.evaluate("performance.getEntriesByType('navigation').length")).toBe(1)
    // The admin token left the address bar and never went into a URL.
    expect(page.url()).toBe(`${server.url}/_emulator/ui`)
  })
})
