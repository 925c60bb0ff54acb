// Writes the body JSON Schemas from the built package to schema/*.json.
import { mkdirSync, writeFileSync } from "node:fs"
import { jsonSchemas } from "../dist/json-schema.js"

const dir = new URL("../schema/", import.meta.url)
mkdirSync(dir, { recursive: true })
for (const [name, schema] of Object.entries(jsonSchemas)) {
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(schema, null, 2)}\n`)
}
