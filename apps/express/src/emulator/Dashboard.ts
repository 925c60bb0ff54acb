import express, { type Response } from "express"

// Replaced at build time (tsup and vitest `define`) by the bundled page script and stylesheet.
declare const __MKIT_DASHBOARD_JS__: string
declare const __MKIT_DASHBOARD_CSS__: string

/**
 * The page may load only its own script and stylesheet and talk only to its own origin: no inline
 * code, no other origin, no framing, no forms posting elsewhere.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")

// Static: nothing here depends on the request, so nothing can be injected into it.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>Vercel Marketplace emulator</title>
<link rel="stylesheet" href="ui/app.css">
<script type="module" src="ui/app.js"></script>
</head>
<body>
<div id="app"><noscript>The dashboard needs JavaScript.</noscript></div>
</body>
</html>
`

const secure = (res: Response, type: string): Response =>
  res.type(type).set({
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-cache"
  })

const built = typeof __MKIT_DASHBOARD_JS__ === "string" && typeof __MKIT_DASHBOARD_CSS__ === "string"

/**
 * The dashboard, mounted at `/_emulator/ui`: one static page and its built script and stylesheet.
 * The page holds no data and no secret; it reads the admin token from its URL fragment and calls
 * the inspection API with it.
 */
export const dashboardRouter = (): express.Router => {
  const router = express.Router()
  router.get("/", (req, res) => {
    // `/_emulator/ui/` would resolve the page's relative asset URLs one level too deep.
    if (req.originalUrl.split("?")[0]!.endsWith("/")) return res.redirect(308, "../ui")
    if (!built) {
      return secure(res, "text/plain")
        .status(503)
        .send("The dashboard is built by `pnpm build`; this copy runs from source without it.\n")
    }
    secure(res, "html").send(PAGE)
  })
  router.get("/app.js", (_req, res) => {
    secure(res, "text/javascript").send(built ? __MKIT_DASHBOARD_JS__ : "")
  })
  router.get("/app.css", (_req, res) => {
    secure(res, "text/css").send(built ? __MKIT_DASHBOARD_CSS__ : "")
  })
  return router
}
