import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DemoData } from "@parley/core/seed";
import { HOUR_MS, hourStartOf } from "@parley/core/staffing";
import {
  createTestDatabase,
  demoTemplatePrefix,
  type TestDatabase,
  templateDatabase,
  testAppSecret,
} from "@parley/testing";
import postgres from "postgres";
import { inject } from "vitest";
import { seedDemoOnce } from "../../apps/api/src/demo";
import { parseEnv } from "../../apps/api/src/env";

/** What a seeded template remembers in its database comment: when its seed ran, and the demo.json it wrote. */
interface DemoTemplate {
  seededAt: number;
  finishedAt: number;
  demo: DemoData;
}

/**
 * A database holding the demo as a server starting now would seed it (`npm start`'s seedDemoOnce), with
 * DATA_DIR/demo.json written as that server writes it. The seed takes tens of seconds on a loaded machine, so it runs
 * once per clock hour of the run, into a template database (one file at a time: an advisory lock), and each demo is
 * a clone of it re-dated to now (`redateDemo`). Within one hour two seeds differ only by that shift: the worked
 * history ends at the hour before `now` and "last month" is the same month, while everything else (this morning's
 * queue, the escalations, clocks, wake-ups, each row's own times) is `now` plus or minus a fixed time.
 */
export async function createDemoDatabase(dataDir: string, demoPassword: string): Promise<TestDatabase> {
  const admin = postgres(inject("pgAdminUrl"), { max: 1, onnotice: () => {} });
  let template: DemoTemplate;
  let database: TestDatabase;
  let now: number;
  try {
    await admin`select pg_advisory_lock(hashtextextended('parley:demo-template', 0))`;
    for (;;) {
      now = Date.now();
      const name = `${demoTemplatePrefix}${hourStartOf(now) / HOUR_MS}`;
      const [found] = await admin<Array<{ comment: string | null }>>`
        select shobj_description(oid, 'pg_database') as comment from pg_database where datname = ${name}`;
      template = found?.comment
        ? (JSON.parse(found.comment) as DemoTemplate)
        : await seedTemplate(admin, name, demoPassword);
      // A seed that ran across the hour belongs to neither hour: the next turn seeds the new hour's.
      const hour = hourStartOf(now);
      if (hourStartOf(template.seededAt) === hour && hourStartOf(template.finishedAt) === hour) {
        database = await createTestDatabase({ template: name });
        break;
      }
      await admin.unsafe(`drop database if exists ${name}`);
    }
  } finally {
    await admin.end();
  }
  try {
    if (template.demo.password !== demoPassword) throw new Error("the demo template was seeded with another password");
    await redateDemo(database.ownerUrl, {
      shiftMs: now - template.seededAt,
      historyEnd: hourStartOf(template.seededAt) - HOUR_MS,
    });
    writeFileSync(path.join(dataDir, "demo.json"), `${JSON.stringify(template.demo, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** Seeds the demo into a new database `name` (a clone of the migrated template) as the server does, and notes it. */
async function seedTemplate(admin: postgres.Sql, name: string, demoPassword: string): Promise<DemoTemplate> {
  await admin.unsafe(`create database ${name} template ${templateDatabase}`);
  const ownerUrl = new URL(inject("pgAdminUrl"));
  ownerUrl.pathname = `/${name}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "parley-demo-template-"));
  chmodSync(dataDir, 0o755);
  try {
    const env = parseEnv({ DATA_DIR: dataDir, DEMO_PASSWORD: demoPassword, APP_SECRET: testAppSecret });
    const seededAt = Date.now();
    const seeded = await seedDemoOnce(env, { ownerUrl: ownerUrl.toString(), appSecret: testAppSecret });
    if (!seeded) throw new Error(`the demo template ${name} already had data`);
    const template: DemoTemplate = {
      seededAt,
      finishedAt: Date.now(),
      demo: JSON.parse(readFileSync(path.join(dataDir, "demo.json"), "utf8")) as DemoData,
    };
    await admin.unsafe(`comment on database ${name} is '${JSON.stringify(template).replaceAll("'", "''")}'`);
    return template;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** An ISO instant as JSON and the app's texts write it (`Date#toISOString`). */
const isoInstant = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;

/**
 * Moves every instant of a seeded demo that was relative to its seed's `now` by `shiftMs`: timestamp columns, and
 * ISO instants inside JSON and text (escalation packets, notification texts, audit records). The worked history
 * (everything at or before `historyEnd`) stays, as a seed within the same hour writes it; so do the deadlines of its
 * clocks, which may lie after `historyEnd` but follow their start. Triggers are off (session_replication_role): the
 * rows are moved, not changed. Dates (contracts, periods, rosters) are the same within the hour and stay.
 */
async function redateDemo(ownerUrl: string, { shiftMs, historyEnd }: { shiftMs: number; historyEnd: number }) {
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  const cutoff = new Date(historyEnd).toISOString();
  const shift = `${shiftMs} milliseconds`;
  try {
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      const columns = await tx<Array<{ table: string; column: string; type: string }>>`
        select c.table_name as table, c.column_name as column, c.data_type as type
        from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
          and c.data_type in ('timestamp with time zone', 'jsonb', 'json', 'text')
        order by c.table_name, c.ordinal_position`;
      const byTable = new Map<string, Array<{ table: string; column: string; type: string }>>();
      for (const column of columns) byTable.set(column.table, [...(byTable.get(column.table) ?? []), column]);
      for (const [table, tableColumns] of byTable) {
        const instants = tableColumns.filter((c) => c.type === "timestamp with time zone").map((c) => c.column);
        if (instants.length > 0) {
          const moved = (column: string) => {
            const id = tx(column);
            // A history clock's deadlines follow its start, not the seed's `now`.
            const follows =
              table === "sla_clocks" && ["due_at", "at_risk_at", "breached_at"].includes(column)
                ? tx`and started_at > ${cutoff}::timestamptz`
                : tx``;
            return tx`${id} = case when ${id} > ${cutoff}::timestamptz ${follows} then ${id} + ${shift}::interval else ${id} end`;
          };
          const sets = instants.map(moved).reduce((all, set) => tx`${all}, ${set}`);
          const anyMoved = instants
            .map((column) => tx`${tx(column)} > ${cutoff}::timestamptz`)
            .reduce((all, c) => tx`${all} or ${c}`);
          await tx`update ${tx(table)} set ${sets} where ${anyMoved}`;
        }
        if (!tableColumns.some((c) => c.column === "id")) continue;
        for (const { column, type } of tableColumns.filter((c) => c.type !== "timestamp with time zone")) {
          const rows = await tx<Array<{ id: string; value: string }>>`
            select id::text as id, ${tx(column)}::text as value from ${tx(table)}
            where ${tx(column)}::text ~ '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z'`;
          for (const row of rows) {
            const value = row.value.replace(isoInstant, (instant) =>
              instant > cutoff ? new Date(Date.parse(instant) + shiftMs).toISOString() : instant,
            );
            if (value === row.value) continue;
            const cast = type === "text" ? tx`${value}` : type === "json" ? tx`${value}::json` : tx`${value}::jsonb`;
            await tx`update ${tx(table)} set ${tx(column)} = ${cast} where id::text = ${row.id}`;
          }
        }
      }
    });
  } finally {
    await sql.end();
  }
}
