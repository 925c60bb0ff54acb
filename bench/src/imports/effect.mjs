// The Effect API with the transports an Effect user would pick, for comparison (ESM).
import "@effect/platform/FetchHttpClient"
import { MarketplaceClient } from "@marketplace-kit/client"

MarketplaceClient.layerConfig()
