import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { PostgresJsSession } from "drizzle-orm/postgres-js";
import type { Executor } from "./client";

const dialect = new PgDialect({ casing: "snake_case" });

/**
 * Runs a statement (its text with `$n` parameters) as a named prepared statement on the executor's connection:
 * parsed and planned once per connection (then PostgreSQL's plan cache decides between custom and generic
 * plans), where drizzle's `execute` sends an unnamed one, described and planned on every call. It is sent at
 * once, so statements go out in call order and a caller may send several before reading the first answer (a
 * failure it has not read yet is not an unhandled rejection; the transaction fails either way). For the hot
 * paths whose statement text does not change between calls (arrays as one parameter, `uuidArray`, or JSON):
 * a text that changes per call would fill the connection's statement cache.
 */
export function runPrepared<Row>(executor: Executor, text: string, params: readonly unknown[]): Promise<Row[]> {
  const session = executor._.session;
  if (!(session instanceof PostgresJsSession)) throw new TypeError("runPrepared needs a postgres.js session");
  const query = session.client.unsafe(text, params as never[], { prepare: true }).execute();
  query.then(undefined, () => {});
  return query as unknown as Promise<Row[]>;
}

/** A drizzle `sql` statement as text with `$n` parameters. */
export function preparedQuery(query: SQL): { sql: string; params: unknown[] } {
  return dialect.sqlToQuery(query);
}

/** `runPrepared` for a drizzle `sql` statement. */
export function executePrepared<Row>(executor: Executor, query: SQL): Promise<Row[]> {
  const { sql, params } = preparedQuery(query);
  return runPrepared<Row>(executor, sql, params);
}

/**
 * A drizzle `sql` statement's rows read through a cursor, `batch` rows at a time: the next batch is fetched only
 * when the caller asks for it (back-pressure), and a caller that stops early (`break`, `return`) closes the cursor.
 * Inside a transaction the cursor lives as long as the transaction, which the caller keeps open while it reads.
 */
export function cursorRows<Row>(executor: Executor, query: SQL, batch: number): AsyncIterable<Row[]> {
  const session = executor._.session;
  if (!(session instanceof PostgresJsSession)) throw new TypeError("cursorRows needs a postgres.js session");
  const { sql, params } = preparedQuery(query);
  return session.client.unsafe(sql, params as never[]).cursor(batch) as unknown as AsyncIterable<Row[]>;
}
