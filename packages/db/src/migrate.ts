import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

export const migrationsFolder = fileURLToPath(new URL("../../../drizzle", import.meta.url));
export const appRoleName = "parley_app";

/** Applies the generated migrations in `drizzle/` as the owner. */
export async function migrateDatabase(ownerUrl: string): Promise<void> {
  const client = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
  } finally {
    await client.end();
  }
}

/**
 * Lets the app role (created by a migration, NOLOGIN) sign in with `password`, and returns the
 * URL to serve with. Needs an owner that may alter roles; otherwise set DATABASE_APP_URL.
 */
export async function enableAppRoleLogin(ownerUrl: string, password: string): Promise<string> {
  const client = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const db = drizzle({ client });
    await db.execute(sql.raw(`alter role ${appRoleName} login password '${password.replaceAll("'", "''")}'`));
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = appRoleName;
  url.password = password;
  return url.toString();
}
