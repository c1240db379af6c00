import { sql } from "drizzle-orm";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A `uuid[]` as one bound parameter (an array literal), so a statement's text does not change with the
 * number of ids and PostgreSQL reuses its prepared plan. Ids come from the database or from validated input;
 * anything else is a programming error.
 */
export function uuidArray(ids: readonly string[]) {
  for (const id of ids) {
    if (!uuidPattern.test(id)) throw new TypeError(`not a uuid: ${JSON.stringify(id)}`);
  }
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}
