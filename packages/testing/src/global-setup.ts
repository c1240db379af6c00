import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { enableAppRoleLogin, migrateDatabase } from "@parley/db";
import { startEmbeddedPostgres } from "@parley/db/embedded";
import postgres from "postgres";
import type { TestProject } from "vitest/node";

export const templateDatabase = "parley_template";
/**
 * Names of the run's seeded demo templates (tests/support/demo-database.ts), one per clock hour that needed one; a
 * run starts without any, as a demo seeded by another run's code is not this run's.
 */
export const demoTemplatePrefix = "parley_demo_";
export const appRolePassword = "parley-app-test";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * Vitest logs an error thrown by a global teardown ("error during close") and still exits 0. A teardown of this
 * suite goes through here, so a failure to stop or clean up fails the run.
 */
export function failRunOnError(teardown: () => Promise<void> | void): () => Promise<void> {
  return async () => {
    try {
      await teardown();
    } catch (error) {
      process.exitCode = 1;
      throw error;
    }
  };
}

/** One PostgreSQL for the run (embedded unless DATABASE_URL is set) with a migrated template database. */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const root = mkdtempSync(path.join(os.tmpdir(), "parley-test-"));
    chmodSync(root, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(root, "pg"),
      durable: false,
    });
    adminUrl = server.adminUrl;
    stop = async () => {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    };
  }
  try {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    const demoTemplates = await admin<Array<{ name: string }>>`
      select datname as name from pg_database where starts_with(datname, ${demoTemplatePrefix})`;
    for (const { name } of demoTemplates) await admin.unsafe(`drop database ${name} with (force)`);
    await admin.unsafe(`drop database if exists ${templateDatabase}`);
    await admin.unsafe(`create database ${templateDatabase}`);
    await admin.end();
    const templateUrl = new URL(adminUrl);
    templateUrl.pathname = `/${templateDatabase}`;
    await migrateDatabase(templateUrl.toString());
    await enableAppRoleLogin(templateUrl.toString(), appRolePassword);
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide("pgAdminUrl", adminUrl);
  return failRunOnError(stop);
}
