import { plantedWeeks } from "@parley/core/reports/planted-topics.fixture";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

/**
 * `GET /v1/reports/topics` and the `reports.topics` / `reports.topicItems` procedures over real HTTP: the topics of a
 * client's week, with an API key's scope and client, a stakeholder's session, and field-named refusals.
 */
let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let reportsKey: string;
let itemsKey: string;
let otherClientKey: string;
const week = "from=2026-11-23&to=2026-11-29";

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await app.request(`http://parley.test${path}`, { headers: { host: "parley.test", ...headers } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function createKey(cookie: string, input: { scopes: string[]; clientId?: string }): Promise<string> {
  const created = await callProcedure(app, {
    cookie,
    path: "apiKeys.create",
    type: "mutation",
    input: { name: `Key ${input.scopes.join(" ")}`, ...input },
  });
  return (created.data as { secret: string }).secret;
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  const channel = a.channels.find((candidate) => candidate.clientId === a.client.id);
  const rows = plantedWeeks([
    { weekStart: "2026-11-16", counts: { refund_missing: 4 }, noise: 10 },
    { weekStart: "2026-11-23", counts: { parcel_not_delivered: 6, refund_missing: 4 }, noise: 10 },
  ]);
  await db.owner.insert(schema.items).values(
    rows.map((row, index) => ({
      agencyId: a.agency.id,
      clientId: a.client.id,
      channelId: channel?.id ?? "",
      externalId: `topic-${index}`,
      kind: "comment" as const,
      authorExternalId: `author-${index}`,
      authorHandle: `@customer${index}`,
      body: row.text,
      createdAt: row.receivedAt,
      receivedAt: row.receivedAt,
    })),
  );
  const owner = await signInAs(app, a.users.owner.email);
  reportsKey = await createKey(owner, { scopes: ["reports:read"] });
  itemsKey = await createKey(owner, { scopes: ["items:read"] });
  otherClientKey = await createKey(owner, { scopes: ["reports:read"], clientId: a.otherClient.id });
});
afterAll(() => db.close());

describe("GET /v1/reports/topics", () => {
  it("answers a key with reports:read with the client's topics, their volumes and trends", async () => {
    const { status, body } = await get(`/v1/reports/topics?clientId=${a.client.id}&${week}`, {
      authorization: `Bearer ${reportsKey}`,
    });
    expect(status).toBe(200);
    const topics = body.topics as Array<Record<string, unknown>>;
    expect(
      topics.map(({ volume, previousFourWeeks, trendPercent, newThisWeek }) => [
        volume,
        previousFourWeeks,
        trendPercent,
        newThisWeek,
      ]),
    ).toEqual([
      [6, 0, null, true],
      [4, 4, 300, false],
    ]);
    expect(body.itemsInPeriod).toBe(20);
    expect(topics[0]?.examples as unknown[]).toHaveLength(3);
  });

  it("refuses a key without the scope, another client's key and a bad date, naming each", async () => {
    const missing = await get(`/v1/reports/topics?clientId=${a.client.id}&${week}`, {
      authorization: `Bearer ${itemsKey}`,
    });
    expect(missing.status).toBe(403);
    const other = await get(`/v1/reports/topics?clientId=${a.client.id}&${week}`, {
      authorization: `Bearer ${otherClientKey}`,
    });
    expect(other.status).toBe(404);
    const bad = await get(`/v1/reports/topics?clientId=${a.client.id}&from=2026-13-01&to=2026-11-29`, {
      authorization: `Bearer ${reportsKey}`,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "BAD_INPUT", details: { fields: { from: expect.any(String) } } } });
  });
});

describe("reports.topics and reports.topicItems", () => {
  it("give a stakeholder their client's topics and the items behind one", async () => {
    const cookie = await signInAs(app, a.users.stakeholder.email);
    const topics = await callProcedure(app, {
      cookie,
      path: "reports.topics",
      type: "query",
      input: { clientId: a.client.id, from: "2026-11-23", to: "2026-11-29" },
    });
    const [parcels] = (topics.data as { topics: Array<{ key: string; volume: number }> }).topics;
    const items = await callProcedure(app, {
      cookie,
      path: "reports.topicItems",
      type: "query",
      input: { clientId: a.client.id, from: "2026-11-23", to: "2026-11-29", topicKey: parcels?.key },
    });
    const drill = items.data as { total: number; items: Array<{ excerpt: string }> };
    expect(drill.total).toBe(parcels?.volume);
    expect(drill.items.every((item) => /parcel/i.test(item.excerpt))).toBe(true);
    const other = await callProcedure(app, {
      cookie,
      path: "reports.topics",
      type: "query",
      input: { clientId: a.otherClient.id, from: "2026-11-23", to: "2026-11-29" },
    });
    expect(other.error?.code).toBe("NOT_FOUND");
  });
});
