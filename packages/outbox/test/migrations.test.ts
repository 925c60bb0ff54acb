import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import { afterEach, beforeEach, expect, it } from "vitest"
import { migrate, openOutbox, schemaVersion } from "../src/index.js"
import { installationIds, startEmulator, TOKEN, tempDir } from "./support/fixtures.js"

let dir: ReturnType<typeof tempDir>
beforeEach(() => {
  dir = tempDir()
})
afterEach(() => dir.remove())

const [A] = installationIds(1) as [string]

it("opens an outbox written at schema version 1, migrates it and delivers what it held", async () => {
  const filename = `${dir.dir}/old.db`
  // What an older release left behind: the version 1 schema and one pending op in its shape.
  await Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      expect(yield* migrate(1)).toBe(1)
      yield* sql`INSERT INTO mkit_outbox_ops (installation_id, operation, input, status, attempts, available_at, created_at)
        VALUES (${A}, 'updateInstallation', ${JSON.stringify({ externalId: "from-v1" })}, 'pending', 0, 0, 0)`
    }).pipe(Effect.provide(SqliteClient.layer({ filename })), Effect.scoped)
  )
  const server = await startEmulator(1)
  const outbox = await openOutbox({ store: `sqlite:${filename}`, token: TOKEN, baseUrl: server.url })
  try {
    expect(await outbox.drain()).toMatchObject({ delivered: 1, pending: 0 })
    expect(server.emulator.state.installation(A)?.externalId).toBe("from-v1")
    const versions = await Effect.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ version: number }>`SELECT version FROM mkit_outbox_schema ORDER BY version`
      }).pipe(Effect.provide(SqliteClient.layer({ filename })), Effect.scoped)
    )
    expect(versions.map((row) => row.version)).toEqual(
      Array.from({ length: schemaVersion }, (_, index) => index + 1)
    )
  } finally {
    await outbox.close()
    await server.close()
  }
})

it("applies each migration once when opened again", async () => {
  const layer = SqliteClient.layer({ filename: `${dir.dir}/twice.db` })
  const versions = await Effect.runPromise(
    Effect.gen(function* () {
      const first = yield* migrate()
      const second = yield* migrate()
      return [first, second]
    }).pipe(Effect.provide(layer), Effect.scoped)
  )
  expect(versions).toEqual([schemaVersion, schemaVersion])
})
