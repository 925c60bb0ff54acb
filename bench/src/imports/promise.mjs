// Our Promise facade, loaded and constructed as a serverless function would at cold start (ESM).
import { createMarketplaceClient } from "@marketplace-kit/client/promise"

createMarketplaceClient({ token: "token" })
