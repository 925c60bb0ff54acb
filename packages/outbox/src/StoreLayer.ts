import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as ConfigError from "effect/ConfigError"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** A store URL that names no supported database. */
export class StoreUrlError extends Error {
  override readonly name = "StoreUrlError"
}

/** Which database a store URL names: `sqlite:<path>` or `postgres://…` / `postgresql://…`. */
export type StoreKind = "sqlite" | "postgres"

/** The kind of a store URL, or a `StoreUrlError` saying what is accepted. */
export const storeKind = (url: string): StoreKind => {
  if (url.startsWith("sqlite:") && url.length > "sqlite:".length) return "sqlite"
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres"
  throw new StoreUrlError(
    `store: expected "sqlite:<path>" or "postgres://user:pass@host:port/db", received ${JSON.stringify(
      url.replace(/\/\/[^@/]*@/, "//<credentials>@")
    )}`
  )
}

/**
 * The `SqlClient` for a store URL: SQLite (file created if missing, WAL mode) or a PostgreSQL pool.
 * The URL may hold a password, so it is kept `Redacted`.
 */
export const layer = (
  url: string,
  options: { readonly maxConnections?: number } = {}
): Layer.Layer<SqlClient.SqlClient, SqlError | ConfigError.ConfigError> =>
  storeKind(url) === "sqlite"
    ? SqliteClient.layer({ filename: url.slice("sqlite:".length) })
    : PgClient.layer({ url: Redacted.make(url), maxConnections: options.maxConnections })
