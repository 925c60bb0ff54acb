import pg from "pg"
import { inject } from "vitest"

/** A new, empty database on the test server, so test files never share tables. */
export const freshDatabase = async (): Promise<string> => {
  const admin = inject("databaseUrl")
  const name = `outbox_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(admin)
  url.pathname = `/${name}`
  return url.toString()
}
