import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

/**
 * The public report reads over real HTTP: scopes and roles, field-named refusals, and the per-item export
 * streamed in batches (one cursor, 2,000 rows at a time) with exactly the rows the summary counts.
 */
let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let reportsKey: string;
let itemsKey: string;
const period = "from=2026-11-02&to=2026-11-03";

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await app.request(`http://parley.test${path}`, { headers: { host: "parley.test", ...headers } });
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

async function createKey(cookie: string, scopes: string[]): Promise<string> {
  const created = await callProcedure(app, {
    cookie,
    path: "apiKeys.create",
    type: "mutation",
    input: { name: `Key ${scopes.join(" ")}`, scopes },
  });
  return (created.data as { secret: string }).secret;
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  // 5,200 items on 2 November (London) for the first client, 3 on the 3rd for the second (New York).
  await db.owner.execute(sql`
    insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
      created_at, received_at)
    select ${a.agency.id}, ch.client_id, ch.id, 'r-' || n, 'comment', 'a-' || n, '=cmd|evil', 'Body',
      t, t
    from generate_series(1, 5200) n, channels ch,
      lateral (select timestamptz '2026-11-02 08:00:00+00' + (n || ' seconds')::interval as t) at
    where ch.client_id = ${a.client.id}`);
  await db.owner.execute(sql`
    insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
      created_at, received_at)
    select ${a.agency.id}, ch.client_id, ch.id, 'b-' || n, 'comment', 'b-' || n, 'someone', 'Body',
      timestamptz '2026-11-03 15:00:00+00', timestamptz '2026-11-03 15:00:00+00'
    from generate_series(1, 3) n, channels ch where ch.client_id = ${a.otherClient.id}`);
  const owner = await signInAs(app, a.users.owner.email);
  reportsKey = await createKey(owner, ["reports:read"]);
  itemsKey = await createKey(owner, ["items:read"]);
});
afterAll(() => db.close());

describe("GET /v1/reports/summary", () => {
  it("answers an API key with reports:read, in each client's own calendar", async () => {
    const { status, text } = await get(`/v1/reports/summary?${period}`, { authorization: `Bearer ${reportsKey}` });
    expect(status).toBe(200);
    const report = JSON.parse(text) as { totals: { itemsIn: number }; byDay: Array<{ date: string; itemsIn: number }> };
    expect(report.totals.itemsIn).toBe(5203);
    expect(report.byDay.map((day) => [day.date, day.itemsIn])).toEqual([
      ["2026-11-02", 5200],
      ["2026-11-03", 3],
    ]);
  });

  it("refuses a key without the scope, a moderator, and names a bad field or an unseen client", async () => {
    expect((await get(`/v1/reports/summary?${period}`, { authorization: `Bearer ${itemsKey}` })).status).toBe(403);
    const moderator = await signInAs(app, a.users.moderator.email);
    const refused = await get(`/v1/reports/summary?${period}`, { cookie: moderator });
    expect(refused.status).toBe(403);
    const bad = await get("/v1/reports/summary?from=2026-11-05&to=2026-11-01", {
      authorization: `Bearer ${reportsKey}`,
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { details: { fields: { to: expect.any(String) } } } });
    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    const own = await get(`/v1/reports/summary?${period}`, { cookie: stakeholder });
    expect(JSON.parse(own.text)).toMatchObject({ totals: { itemsIn: 5200 } });
    const other = await get(`/v1/reports/summary?${period}&clientId=${a.otherClient.id}`, { cookie: stakeholder });
    expect(other.status).toBe(404);
    expect(JSON.parse(other.text)).toMatchObject({ error: { details: { fields: { clientIds: expect.any(String) } } } });
  });
});

describe("GET /v1/reports/items.csv", () => {
  it("streams one row per counted item across pages, links each to its item, and defuses formulas", async () => {
    const { status, type, text } = await get(`/v1/reports/items.csv?${period}`, {
      authorization: `Bearer ${reportsKey}`,
    });
    expect(status).toBe(200);
    expect(type).toContain("text/csv");
    const lines = text
      .replace(/^\ufeff/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toMatch(/^item id,link,client,channel,/);
    const rows = lines.slice(1);
    expect(rows).toHaveLength(5203);
    expect(new Set(rows.map((row) => row.split(",")[0])).size).toBe(5203);
    expect(rows[0]).toContain("http://parley.test/console/items/");
    expect(rows.at(-1)).toContain("'=cmd|evil");
    expect(rows.at(-1)).toContain("2026-11-02 08:00:01");
    const oneClient = await get(`/v1/reports/items.csv?${period}&clientId=${a.otherClient.id}`, {
      authorization: `Bearer ${reportsKey}`,
    });
    expect(oneClient.text.trimEnd().split("\r\n")).toHaveLength(4);
  });

  it("narrows to one day of the screen's chart, and names a bad day", async () => {
    const day = await get(`/v1/reports/items.csv?${period}&date=2026-11-03`, { authorization: `Bearer ${reportsKey}` });
    expect(day.status).toBe(200);
    const rows = day.text
      .replace(/^\ufeff/, "")
      .trimEnd()
      .split("\r\n")
      .slice(1);
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.includes("2026-11-03"))).toBe(true);
    const bad = await get(`/v1/reports/items.csv?${period}&date=2026-11-31`, { authorization: `Bearer ${reportsKey}` });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { details: { fields: { date: expect.any(String) } } } });
  });
});

describe("GET /v1/reports/summary.csv", () => {
  it("writes the report's figures one group a row, with the same counts as the summary", async () => {
    const { status, type, text } = await get(`/v1/reports/summary.csv?${period}&priority=P1,P2,P3,P4`, {
      authorization: `Bearer ${reportsKey}`,
    });
    expect(status).toBe(200);
    expect(type).toContain("text/csv");
    const lines = text
      .replace(/^\ufeff/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toMatch(/^group,value,items in,replies sent,acknowledged,/);
    const cells = (group: string) =>
      lines.filter((line) => line.startsWith(`${group},`)).map((line) => line.split(",").slice(1, 3));
    expect(cells("total")).toEqual([["2026-11-02 to 2026-11-03", "5203"]]);
    expect(cells("day")).toEqual([
      ["2026-11-02", "5200"],
      ["2026-11-03", "3"],
    ]);
    expect(cells("business hours")).toEqual([["in hours", "5203"]]);
    const bad = await get(`/v1/reports/summary.csv?${period}&priority=P9`, { authorization: `Bearer ${reportsKey}` });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({
      error: { details: { fields: { "priority.0": expect.any(String) } } },
    });
  });
});
