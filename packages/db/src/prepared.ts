import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { type SQL, sql } from "drizzle-orm";
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

const lineFeed = 0x0a;
const doubleQuote = 0x22;
const crlf = Buffer.from("\r\n");

/**
 * A drizzle `sql` query's rows as CSV written by PostgreSQL (`copy (query) to stdout with (format csv)`: quoted
 * where RFC 4180 requires, quotes doubled, null as an empty field), read in the executor's transaction (row-level
 * security applies) a chunk at a time as the caller asks for them (back-pressure). Rows end in CRLF as RFC 4180 says
 * (COPY ends them in LF; a line break inside a quoted field is left as written). COPY takes no bind parameters: the
 * query's parameters are written into its text as literals (drizzle's `inlineParams`, quotes doubled).
 *
 * postgres.js 3.4 leaves its socket paused when a COPY's last data and its end arrive in one read while the stream's
 * buffer is full (porsager/postgres#499; the fix, PR #1016, is not released): the transaction's next statement would
 * then wait forever. The stream's `_read` resumes the socket, so it is called once the stream has ended. For the same
 * reason a caller that stops early does not destroy the stream: the rest of the rows are read and dropped before the
 * transaction goes on.
 */
export async function copyCsvRows(executor: Executor, query: SQL): Promise<AsyncIterable<Buffer>> {
  const session = executor._.session;
  if (!(session instanceof PostgresJsSession)) throw new TypeError("copyCsvRows needs a postgres.js session");
  const { sql: text } = dialect.sqlToQuery(sql`copy (${query}) to stdout with (format csv)`.inlineParams());
  const readable: Readable = await session.client.unsafe(text).readable();
  const ended = finished(readable).then(() => readable._read(0));
  ended.catch(() => {}); // a failure is the reader's, when it reads
  return (async function* () {
    let quoted = false;
    try {
      for await (const chunk of readable.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        const parts: Buffer[] = [];
        let from = 0;
        for (let at = 0; at < chunk.length; at++) {
          const byte = chunk[at];
          if (byte === doubleQuote) quoted = !quoted;
          else if (byte === lineFeed && !quoted) {
            parts.push(chunk.subarray(from, at), crlf);
            from = at + 1;
          }
        }
        parts.push(chunk.subarray(from));
        yield Buffer.concat(parts);
      }
    } finally {
      readable.resume();
      await ended;
    }
  })();
}
