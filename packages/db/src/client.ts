import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDatabase>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** A database handle or an open transaction: use cases accept either. */
export type Executor = Database | Transaction;

export interface DatabaseOptions {
  url: string;
  max?: number;
  /** How the pool's connections are named in `pg_stat_activity` (an API process names its own, for its pool metrics). */
  applicationName?: string;
}

export function createDatabase({ url, max = 10, applicationName = "parley" }: DatabaseOptions) {
  const sql = postgres(url, { max, onnotice: () => {}, connection: { application_name: applicationName } });
  return drizzle({ client: sql, schema, casing: "snake_case" });
}

export async function closeDatabase(db: Database): Promise<void> {
  await db.$client.end({ timeout: 5 });
}
