import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hashPassword } from "@parley/auth";
import { createSecretBox } from "@parley/core/kernel";
import { type DemoData, isDatabaseEmpty, seedDemoAgencies } from "@parley/core/seed";
import { closeDatabase, createDatabase, withAdvisoryLock } from "@parley/db";
import type { Env } from "./env";

export function demoFile(env: Env): string {
  return path.resolve(env.DATA_DIR, "demo.json");
}

/**
 * Seeds the demo agencies once, on an empty database, and writes DATA_DIR/demo.json. Returns null when data exists.
 * Processes starting together take turns (an advisory lock): the first seeds, the others find data.
 */
export async function seedDemoOnce(
  env: Env,
  options: { ownerUrl: string; appSecret: string },
): Promise<DemoData | null> {
  return withAdvisoryLock(options.ownerUrl, "parley:demo-seed", async () => {
    const db = createDatabase({ url: options.ownerUrl, max: 2 });
    try {
      if (!(await isDatabaseEmpty(db))) return null;
      const data = await seedDemoAgencies(db, {
        demoPassword: env.DEMO_PASSWORD,
        secretBox: createSecretBox(options.appSecret),
        hashPassword,
      });
      mkdirSync(path.dirname(demoFile(env)), { recursive: true });
      writeFileSync(demoFile(env), `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      return data;
    } finally {
      await closeDatabase(db);
    }
  });
}

/** The demo logins with their password, one per line, or null when this data directory has no demo. */
export function describeDemoLogins(env: Env): string | null {
  if (!existsSync(demoFile(env))) return null;
  const data = JSON.parse(readFileSync(demoFile(env), "utf8")) as DemoData;
  return [
    `Demo logins (password: ${data.password}):`,
    ...data.logins.map((login) => `  ${login.email.padEnd(28)} ${login.agency} — ${login.note}`),
  ].join("\n");
}
