import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateSecret } from "@parley/core/kernel";
import { enableAppRoleLogin, type MigrationRun, migrateDatabase } from "@parley/db";
import { type EmbeddedServer, startEmbeddedPostgres } from "@parley/db/embedded";
import postgres from "postgres";
import type { Env } from "./env";
import { migrationsFolder } from "./paths";

export interface PreparedDatabase {
  ownerUrl: string;
  appUrl: string;
  appSecret: string;
  embedded: EmbeddedServer | null;
  /** What this start did to the schema, and how many migrations this build ships. */
  migrations: MigrationRun & { expected: number };
}

function countShippedMigrations(): number {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** Without APP_SECRET (development), a random one is generated once and kept under DATA_DIR. */
function loadLocalAppSecret(dataDir: string): string {
  const file = path.join(dataDir, "app-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = generateSecret(48);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

/**
 * Starts the embedded server when DATABASE_URL is unset, applies migrations, and readies the app role. Processes
 * starting together on one database take turns for the migrations (an advisory lock): the first applies them.
 */
export async function prepareDatabase(env: Env): Promise<PreparedDatabase> {
  const dataDir = path.resolve(env.DATA_DIR);
  const appSecret = env.APP_SECRET ?? loadLocalAppSecret(dataDir);
  let ownerUrl = env.DATABASE_URL;
  let embedded: EmbeddedServer | null = null;
  if (!ownerUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg") });
    await ensureDatabase(embedded.adminUrl, "parley");
    ownerUrl = embedded.urlFor("parley");
  }
  try {
    const migrations = { ...(await migrateDatabase(ownerUrl, migrationsFolder)), expected: countShippedMigrations() };
    const appUrl =
      env.DATABASE_APP_URL ??
      (await enableAppRoleLogin(ownerUrl, createHmac("sha256", appSecret).update("parley_app login").digest("hex")));
    return { ownerUrl, appUrl, appSecret, embedded, migrations };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
