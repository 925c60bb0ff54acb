// A separate entry (`@marketplace-kit/core/json-schema`): zod's JSON Schema generator is sizeable and
// runs at import, so apps that only validate should not pay for it.
import * as z from "zod/mini"
import { CreateEventBody } from "./Event.js"
import { UpdateInstallationBody } from "./Installation.js"

const toJsonSchema = (schema: z.ZodMiniType, title: string) => ({
  ...z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }),
  title
})

/** JSON Schema (draft 2020-12) of the update-installation body, for non-TypeScript partners. */
export const updateInstallationJsonSchema = toJsonSchema(UpdateInstallationBody, "UpdateInstallationBody")

/** JSON Schema (draft 2020-12) of the create-event body. */
export const createEventJsonSchema = toJsonSchema(CreateEventBody, "CreateEventBody")

/** Both JSON Schemas, keyed by the file name they are written to. */
export const jsonSchemas = {
  "update-installation": updateInstallationJsonSchema,
  "create-event": createEventJsonSchema
} as const
