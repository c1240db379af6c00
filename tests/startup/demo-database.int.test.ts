import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DemoData } from "@parley/core/seed";
import { HOUR_MS, hourStartOf } from "@parley/core/staffing";
import { createTestDatabase, type TestDatabase, testAppSecret } from "@parley/testing";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { seedDemoOnce } from "../../apps/api/src/demo";
import { parseEnv } from "../../apps/api/src/env";
import { demoPassword } from "../support/browser";
import { createDemoDatabase } from "../support/demo-database";

const folders: string[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((database) => database.close()));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function dataDir(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), "parley-demo-clone-"));
  chmodSync(folder, 0o755);
  folders.push(folder);
  return folder;
}

/** Per table: its row count and, per instant column, its instants in order (epoch ms); ids differ between seeds. */
async function instantsOf(url: string): Promise<Map<string, number[]>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const columns = await sql<Array<{ table: string; column: string }>>`
      select c.table_name as table, c.column_name as column from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.data_type = 'timestamp with time zone'`;
    const found = new Map<string, number[]>();
    for (const { table, column } of columns) {
      const rows = await sql<Array<{ at: number | null }>>`
        select (extract(epoch from ${sql(column)}) * 1000)::float8 as at from ${sql(table)} order by 1`;
      found.set(
        `${table}.${column}`,
        rows.map((row) => row.at ?? Number.NaN),
      );
    }
    return found;
  } finally {
    await sql.end();
  }
}

describe("a demo cloned from the run's seeded demo", () => {
  it("holds what the server's own seed at this moment holds: the same rows, at the same times", async () => {
    for (;;) {
      const cloneDir = dataDir();
      const clone = await createDemoDatabase(cloneDir, demoPassword);
      databases.push(clone);
      const cloneHour = hourStartOf(Date.now());
      // The server's seed, as `npm start` runs it on an empty database, right after the clone was made.
      const freshDir = dataDir();
      const fresh = await createTestDatabase();
      databases.push(fresh);
      const env = parseEnv({ DATA_DIR: freshDir, DEMO_PASSWORD: demoPassword, APP_SECRET: testAppSecret });
      const seeded = await seedDemoOnce(env, { ownerUrl: fresh.ownerUrl, appSecret: testAppSecret });
      // Seeds in two clock hours differ in their history: try again within one.
      if (hourStartOf(Date.now()) !== cloneHour) continue;
      expect(seeded).not.toBeNull();
      const demo = (dir: string) => JSON.parse(readFileSync(path.join(dir, "demo.json"), "utf8")) as DemoData;
      // The same logins, agencies, clients and channels (with ids and secrets of its own).
      const shape = (data: DemoData) => ({
        password: data.password,
        logins: data.logins,
        agencies: data.agencies.map((agency) => ({ name: agency.name, clients: agency.clients.map((c) => c.name) })),
        channels: data.channels.map((channel) => [channel.platform, channel.displayName]),
      });
      expect(shape(demo(cloneDir))).toEqual(shape(demo(freshDir)));
      const [cloned, expected] = await Promise.all([instantsOf(clone.ownerUrl), instantsOf(fresh.ownerUrl)]);
      expect([...cloned.keys()].sort()).toEqual([...expected.keys()].sort());
      // The clone's seed ran earlier in this hour; re-dated, its instants are the fresh seed's within what two seeds'
      // own steps take apart (a password hash and a few hundred inserts: seconds, more on a loaded machine). The
      // history, hour-aligned, is the same to the millisecond.
      let compared = 0;
      for (const [column, instants] of expected) {
        const clonedInstants = cloned.get(column) ?? [];
        expect(clonedInstants.length, column).toBe(instants.length);
        for (const [n, at] of instants.entries()) {
          const clonedAt = clonedInstants[n] ?? Number.NaN;
          if (Number.isNaN(at)) expect(clonedAt, column).toBeNaN();
          else expect(Math.abs(clonedAt - at), `${column} #${n}`).toBeLessThan(30_000);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(10_000);
      // Times before the hour the history ends in are the history's own, hence exactly equal.
      const historyEnd = cloneHour - HOUR_MS;
      const history = (instants: number[]) => instants.filter((at) => at <= historyEnd);
      expect(history(cloned.get("items.received_at") ?? [])).toEqual(history(expected.get("items.received_at") ?? []));
      return;
    }
  }, 240_000);
});
