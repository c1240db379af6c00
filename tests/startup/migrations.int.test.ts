import { readFileSync } from "node:fs";
import path from "node:path";
import { enableAppRoleLogin, migrateDatabase, migrationsFolder } from "@parley/db";
import { createEmptyDatabase } from "@parley/testing";
import { appRolePassword } from "@parley/testing/global-setup";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
beforeAll(async () => {
  database = await createEmptyDatabase();
});
afterAll(() => database.drop());

const shipped = (
  JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  }
).entries.length;

describe("several processes starting together on one empty database", () => {
  it("apply the migrations once: one applies them all, the others wait for it and find nothing to do", async () => {
    const runs = await Promise.all([1, 2, 3].map(() => migrateDatabase(database.ownerUrl)));
    expect(runs.map((run) => run.applied).sort((x, y) => y - x)).toEqual([shipped, 0, 0]);
    expect(runs.map((run) => run.total)).toEqual([shipped, shipped, shipped]);
    const client = postgres(database.ownerUrl, { max: 1, onnotice: () => {} });
    try {
      const rows = await client`select hash, count(*)::int as copies from drizzle.__drizzle_migrations group by hash`;
      expect(rows).toHaveLength(shipped);
      expect(rows.every((row) => row.copies === 1)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it("give the app role its login one at a time (concurrent ALTER ROLE of one role would fail)", async () => {
    // The cluster's app role is shared by every test database: the same password as the harness's.
    const urls = await Promise.all([1, 2, 3].map(() => enableAppRoleLogin(database.ownerUrl, appRolePassword)));
    const app = postgres(urls[0] ?? "", { max: 1, onnotice: () => {} });
    try {
      expect(await app`select current_user as role`).toEqual([{ role: "parley_app" }]);
    } finally {
      await app.end();
    }
  });
});
