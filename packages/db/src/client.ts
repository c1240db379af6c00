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
}

export function createDatabase({ url, max = 10 }: DatabaseOptions) {
  const sql = postgres(url, { max, onnotice: () => {}, connection: { application_name: "parley" } });
  return drizzle({ client: sql, schema, casing: "snake_case" });
}

export async function closeDatabase(db: Database): Promise<void> {
  await db.$client.end({ timeout: 5 });
}
