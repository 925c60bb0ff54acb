// @vercel/sdk's standalone functions, as a serverless function would load them: the core and the two calls.
import { VercelCore } from "@vercel/sdk/core.js"
import "@vercel/sdk/funcs/marketplaceCreateEvent.js"
import "@vercel/sdk/funcs/marketplaceUpdateInstallation.js"

new VercelCore({ bearerToken: "token" })
