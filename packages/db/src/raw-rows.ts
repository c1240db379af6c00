import { type Column, getTableColumns, type Table } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";

/*
 * The typed seam between the Drizzle schema and SQL written by hand (prepared statements, set-returning
 * functions, `jsonb_populate_recordset`): the column names such a statement lists and the rows it returns are
 * derived from the table, so a renamed, dropped or retyped column fails the typecheck instead of a query.
 */

/** `claimExpiresAt` → `claim_expires_at`, as the schema's `casing: "snake_case"` names columns. */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? Tail extends Uncapitalize<Tail>
    ? `${Lowercase<Head>}${SnakeCase<Tail>}`
    : `${Lowercase<Head>}_${SnakeCase<Uncapitalize<Tail>>}`
  : S;

type ColumnKey<T extends Table> = keyof T["$inferSelect"] & string;

type RawValue<V> = V extends Date ? string : V;

/** A row of `table` as a hand-written statement returns it: snake-case keys, timestamps as text. */
export type RawRow<T extends Table, K extends ColumnKey<T> = ColumnKey<T>> = {
  [P in K as SnakeCase<P>]: RawValue<T["$inferSelect"][P]>;
};

function columnOf<T extends Table>(table: T, key: ColumnKey<T>): Column {
  const column = (getTableColumns(table) as Record<string, Column>)[key];
  if (!column) throw new Error(`No column ${key}`);
  return column;
}

function sqlNameOf(column: Column): string {
  return column.keyAsName ? toSnakeCase(column.name) : column.name;
}

/** The SQL names of `keys`' columns, in that order, for a statement's column list. */
export function columnNames<T extends Table>(table: T, keys: readonly ColumnKey<T>[]): string[] {
  return keys.map((key) => sqlNameOf(columnOf(table, key)));
}

/** A raw row (`RawRow`) as the schema's row: camel-case keys, timestamps as `Date`. */
export function fromRawRow<T extends Table, const K extends ColumnKey<T>>(
  table: T,
  keys: readonly K[],
  row: RawRow<T, K>,
): Pick<T["$inferSelect"], K> {
  const raw = row as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    const column = columnOf(table, key);
    const value = raw[sqlNameOf(column)];
    result[key] = column.dataType === "date" && typeof value === "string" ? new Date(value) : value;
  }
  return result as Pick<T["$inferSelect"], K>;
}
