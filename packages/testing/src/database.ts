import { randomBytes } from "node:crypto";
import { closeDatabase, createDatabase, type Database } from "@parley/db";
import postgres from "postgres";
import { inject } from "vitest";
import { appRolePassword, templateDatabase } from "./global-setup";

export interface TestDatabase {
  /** Connected as the owner (superuser on the embedded server): bypasses RLS. For setup and assertions. */
  owner: Database;
  /** Connected as the app role: what the application serves with. */
  app: Database;
  ownerUrl: string;
  appUrl: string;
  close(): Promise<void>;
}

/** A fresh database cloned from the migrated template (or another `template` of the run), one per test file. */
export async function createTestDatabase(options: { template?: string } = {}): Promise<TestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${options.template ?? templateDatabase}`);
  } finally {
    await admin.end();
  }
  const ownerUrl = new URL(adminUrl);
  ownerUrl.pathname = `/${name}`;
  const appUrl = new URL(ownerUrl);
  appUrl.username = "parley_app";
  appUrl.password = appRolePassword;
  const owner = createDatabase({ url: ownerUrl.toString(), max: 4 });
  const app = createDatabase({ url: appUrl.toString(), max: 10 });
  return {
    owner,
    app,
    ownerUrl: ownerUrl.toString(),
    appUrl: appUrl.toString(),
    async close() {
      await Promise.all([closeDatabase(owner), closeDatabase(app)]);
    },
  };
}

/** A database with nothing in it, not even the migrations: what a first start meets. The owner is the superuser. */
export async function createEmptyDatabase(): Promise<{ ownerUrl: string; drop(): Promise<void> }> {
  const adminUrl = inject("pgAdminUrl");
  const name = `empty_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const ownerUrl = new URL(adminUrl);
  ownerUrl.pathname = `/${name}`;
  return {
    ownerUrl: ownerUrl.toString(),
    async drop() {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
