import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testAppSecret } from "@parley/testing";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const workDir = mkdtempSync(path.join(os.tmpdir(), "parley-import-"));
chmodSync(workDir, 0o755);

let db: TestDatabase;
let a: TestAgency;
let channelId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  channelId = a.channels.find((c) => c.clientId === a.client.id)?.id ?? "";
});
afterAll(async () => {
  await db.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** `npm run import -- --channel <id> <file>`, against the test database (as the app role). */
function importCsv(file: string, channel = channelId) {
  return run(process.execPath, ["--import", "tsx", "apps/api/src/import.cli.ts", "--channel", channel, file], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: db.ownerUrl,
      DATABASE_APP_URL: db.appUrl,
      APP_SECRET: testAppSecret,
      DATA_DIR: workDir,
      NODE_ENV: "test",
    },
  });
}

const csv = [
  "externalId,kind,authorExternalId,authorHandle,authorDisplayName,body,createdAt,url",
  'r-1,review,a-1,jo,"Jo, the reviewer","Loved it, ""five stars"" from me",2026-11-01T10:00:00Z,https://reviews.example/r-1',
  'r-2,review,a-2,sam,,"Line one\nline two, with a comma\r\nline three",2026-11-02T11:30:00+01:00,',
  "r-3,comment,a-1,jo,,Plain text,2026-11-03T08:00:00Z,",
  "",
].join("\r\n");

describe("npm run import", () => {
  it("imports a CSV with quotes, commas and line breaks in fields, once", { timeout: 60_000 }, async () => {
    const file = path.join(workDir, "backfill.csv");
    writeFileSync(file, `\uFEFF${csv}`);
    const first = await importCsv(file);
    expect(first.stdout).toMatch(/Imported 3 rows .*3 created/);
    const rows = await db.owner
      .select()
      .from(schema.items)
      .where(eq(schema.items.channelId, channelId))
      .orderBy(asc(schema.items.externalId));
    expect(rows.map((r) => r.externalId)).toEqual(["r-1", "r-2", "r-3"]);
    expect(rows[0]).toMatchObject({
      kind: "review",
      body: 'Loved it, "five stars" from me',
      authorDisplayName: "Jo, the reviewer",
      url: "https://reviews.example/r-1",
    });
    expect(rows[1]?.body).toBe("Line one\nline two, with a comma\r\nline three");
    expect(rows[1]?.createdAt.toISOString()).toBe("2026-11-02T10:30:00.000Z");
    expect(rows[2]?.customerId).toBe(rows[0]?.customerId);
    const again = await importCsv(file);
    expect(again.stdout).toMatch(/0 created, 0 edited, 3 already there/);
  });

  it("stores nothing and names each bad cell of a bad file", { timeout: 60_000 }, async () => {
    const file = path.join(workDir, "bad.csv");
    writeFileSync(
      file,
      [
        "externalId,kind,authorExternalId,authorHandle,body,createdAt",
        "b-1,review,a-1,jo,fine,2026-11-01T10:00:00Z",
        "b-2,tweet,a-2,,text,yesterday",
      ].join("\n"),
    );
    const failure = await importCsv(file).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/line 3\.kind/);
    expect(failure?.stderr).toMatch(/line 3\.authorHandle/);
    expect(failure?.stderr).toMatch(/line 3\.createdAt/);
    const rows = await db.owner.select().from(schema.items).where(eq(schema.items.externalId, "b-1"));
    expect(rows).toHaveLength(0);
  });
});
