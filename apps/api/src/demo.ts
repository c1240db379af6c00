import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hashPassword } from "@parley/auth";
import { createSecretBox } from "@parley/core/crypto";
import { type DemoData, isDatabaseEmpty, seedDemoAgencies } from "@parley/core/seed";
import { closeDatabase, createDatabase } from "@parley/db";
import type { Env } from "./env";

export function demoFile(env: Env): string {
  return path.resolve(env.DATA_DIR, "demo.json");
}

/** Seeds the demo agencies once, on an empty database, and writes DATA_DIR/demo.json. Returns null when data exists. */
export async function seedDemoOnce(
  env: Env,
  options: { ownerUrl: string; appSecret: string },
): Promise<DemoData | null> {
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
}

export function printDemoLogins(env: Env): void {
  if (!existsSync(demoFile(env))) return;
  const data = JSON.parse(readFileSync(demoFile(env), "utf8")) as DemoData;
  console.log(`Demo logins (password: ${data.password}):`);
  for (const login of data.logins) console.log(`  ${login.email.padEnd(28)} ${login.agency} — ${login.note}`);
}
