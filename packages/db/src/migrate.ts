import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

export const migrationsFolder = fileURLToPath(new URL("../../../drizzle", import.meta.url));
export const appRoleName = "parley_app";

/**
 * Runs `work` while holding PostgreSQL's advisory lock `name` on a connection of its own, so processes that
 * start together against one database take turns; the lock goes with the connection (a crashed holder frees it).
 */
export async function withAdvisoryLock<T>(url: string, name: string, work: () => Promise<T>): Promise<T> {
  const lock = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await lock`select pg_advisory_lock(hashtextextended(${name}, 0))`;
    return await work();
  } finally {
    await lock.end();
  }
}

export interface MigrationRun {
  /** Migrations this call applied (0 when another process had applied them). */
  applied: number;
  /** Migrations recorded in the database afterwards. */
  total: number;
}

async function countAppliedMigrations(client: postgres.Sql): Promise<number> {
  const [table] = await client`select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
  if (!table?.present) return 0;
  const [row] = await client<Array<{ count: number }>>`select count(*)::int as count from drizzle.__drizzle_migrations`;
  return row?.count ?? 0;
}

/**
 * Applies the generated migrations in `folder` as the owner, one process at a time: several processes starting
 * together on one database wait for the first, which applies what is missing; the others find nothing to do.
 */
export async function migrateDatabase(ownerUrl: string, folder = migrationsFolder): Promise<MigrationRun> {
  return withAdvisoryLock(ownerUrl, "parley:migrations", async () => {
    const client = postgres(ownerUrl, { max: 1, onnotice: () => {} });
    try {
      const before = await countAppliedMigrations(client);
      await migrate(drizzle({ client }), { migrationsFolder: folder });
      const total = await countAppliedMigrations(client);
      return { applied: total - before, total };
    } finally {
      await client.end();
    }
  });
}

/**
 * Lets the app role (created by a migration, NOLOGIN) sign in with `password`, and returns the
 * URL to serve with. Needs an owner that may alter roles; otherwise set DATABASE_APP_URL. One process at a
 * time (two concurrent ALTER ROLE of one role fail with "tuple concurrently updated").
 */
export async function enableAppRoleLogin(ownerUrl: string, password: string): Promise<string> {
  await withAdvisoryLock(ownerUrl, "parley:app-role", async () => {
    const client = postgres(ownerUrl, { max: 1, onnotice: () => {} });
    try {
      const db = drizzle({ client });
      await db.execute(sql.raw(`alter role ${appRoleName} login password '${password.replaceAll("'", "''")}'`));
    } finally {
      await client.end();
    }
  });
  const url = new URL(ownerUrl);
  url.username = appRoleName;
  url.password = password;
  return url.toString();
}
