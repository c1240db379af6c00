import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { PostgresJsSession } from "drizzle-orm/postgres-js";
import type { Executor } from "./client";

const dialect = new PgDialect({ casing: "snake_case" });

/**
 * Runs a statement as a named prepared statement on its connection: parsed and planned once per connection
 * (then PostgreSQL's plan cache decides between custom and generic plans) instead of on every call, which is
 * what drizzle's `execute` does. For the hot paths whose statement text does not change between calls (bind
 * arrays as one parameter, `uuidArray`); a text that changes per call would fill the connection's statement cache.
 */
export async function executePrepared<Row extends Record<string, unknown>>(
  executor: Executor,
  query: SQL,
): Promise<Row[]> {
  const session = executor._.session;
  if (!(session instanceof PostgresJsSession)) throw new TypeError("executePrepared needs a postgres.js session");
  const { sql, params } = dialect.sqlToQuery(query);
  return (await session.client.unsafe(sql, params as never[], { prepare: true })) as unknown as Row[];
}
