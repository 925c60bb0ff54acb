// Our Promise facade, loaded and constructed as a serverless function would at cold start (CommonJS).
const { createMarketplaceClient } = require("@marketplace-kit/client/promise")

createMarketplaceClient({ token: "token" })
