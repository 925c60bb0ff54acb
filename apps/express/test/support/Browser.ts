import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import chromium from "@sparticuz/chromium"
import { type Browser, type Page, chromium as playwright } from "playwright-core"

// Debian's package, where installed; its flags as the issue gives them (playwright adds --headless
// and a fresh temporary user-data dir on every launch).
const DEBIAN_CHROMIUM = "/usr/bin/chromium"
const DEBIAN_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
// @sparticuz/chromium's defaults are made for one-shot serverless runs: they switch page security off
// (the tests check the page's Content-Security-Policy, so the browser must enforce it as a user's
// would) and run in one process, where closing a browser context takes the whole browser down.
const DROPPED = new Set(["--disable-web-security", "--allow-running-insecure-content", "--single-process"])

/**
 * A real headless Chromium from npm alone: `@sparticuz/chromium` ships the binary in its tarball
 * (`executablePath()` unpacks it once). `playwright install` is never needed.
 */
export const launchBrowser = async (): Promise<Browser> => {
  if (existsSync(DEBIAN_CHROMIUM)) {
    return playwright.launch({ executablePath: DEBIAN_CHROMIUM, args: DEBIAN_ARGS, headless: true })
  }
  const args = chromium.args.filter((arg) => !DROPPED.has(arg))
  // As root the sandbox cannot start; the package's own flags already say so, this keeps it certain.
  if (!args.includes("--no-sandbox")) args.push("--no-sandbox")
  return playwright.launch({ executablePath: await chromium.executablePath(), args, headless: true })
}

/** Where the browser tests leave their screenshots (git-ignored). */
export const SCREENSHOT_DIR = new URL("../../test-output/", import.meta.url).pathname

/** Saves a full-page screenshot as `test-output/<name>.png`. */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
