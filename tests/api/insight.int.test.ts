import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

/** The insight figures over real HTTP: `GET /v1/reports/insight` with an API key, and the tRPC procedures. */
let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let reportsKey: string;
let itemsKey: string;
const period = "from=2026-11-01&to=2026-11-30";

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await app.request(`http://parley.test${path}`, { headers: { host: "parley.test", ...headers } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
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

async function conversation(clientId: string, thread: string, customerThen: string | null) {
  const channel = a.channels.find((candidate) => candidate.clientId === clientId);
  const base = {
    agencyId: a.agency.id,
    clientId,
    channelId: channel?.id ?? "",
    kind: "comment" as const,
    threadExternalId: thread,
    authorExternalId: `author-${thread}`,
    authorHandle: `@${thread}`,
  };
  const [opener] = await db.owner
    .insert(schema.items)
    .values({
      ...base,
      externalId: `${thread}-1`,
      body: "Wo kann ich das kaufen?",
      createdAt: new Date("2026-11-10T10:00:00Z"),
      receivedAt: new Date("2026-11-10T10:00:00Z"),
    })
    .returning();
  if (!opener) throw new Error("item not stored");
  await db.owner.insert(schema.replies).values({
    agencyId: a.agency.id,
    clientId,
    itemId: opener.id,
    channelId: opener.channelId,
    body: "Im Shop!",
    status: "sent",
    sentAt: new Date("2026-11-10T10:30:00Z"),
  });
  if (customerThen) {
    await db.owner.insert(schema.items).values({
      ...base,
      externalId: `${thread}-2`,
      body: customerThen,
      createdAt: new Date("2026-11-10T11:00:00Z"),
      receivedAt: new Date("2026-11-10T11:00:00Z"),
    });
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  await conversation(a.client.id, "t1", "Vielen Dank!");
  await conversation(a.client.id, "t2", "Danke für nichts");
  await conversation(a.client.id, "t3", null);
  await conversation(a.otherClient.id, "t4", "Gracias");
  const owner = await signInAs(app, a.users.owner.email);
  reportsKey = await createKey(owner, ["reports:read"]);
  itemsKey = await createKey(owner, ["items:read"]);
});
afterAll(() => db.close());

describe("GET /v1/reports/insight", () => {
  it("answers an API key with reports:read: the gratitude index and labels, against October", async () => {
    const { status, body } = await get(`/v1/reports/insight?${period}&clientId=${a.client.id}`, {
      authorization: `Bearer ${reportsKey}`,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      previous: { from: "2026-10-01", to: "2026-10-31" },
      current: {
        itemsIn: 5,
        purchaseIntent: 3,
        dissatisfied: 1,
        conversationsAnswered: 3,
        conversationsThanked: 1,
        gratitudeIndex: 1 / 3,
      },
      previousPeriod: { itemsIn: 0, gratitudeIndex: null },
    });
  });

  it("refuses a key without the scope, a moderator, a bad field, and another client for a stakeholder", async () => {
    expect((await get(`/v1/reports/insight?${period}`, { authorization: `Bearer ${itemsKey}` })).status).toBe(403);
    const moderator = await signInAs(app, a.users.moderator.email);
    expect((await get(`/v1/reports/insight?${period}`, { cookie: moderator })).status).toBe(403);
    const bad = await get("/v1/reports/insight?from=2026-11-30&to=2026-11", { authorization: `Bearer ${reportsKey}` });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { details: { fields: { to: expect.any(String) } } } });
    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    const own = await get(`/v1/reports/insight?${period}`, { cookie: stakeholder });
    expect(own.body).toMatchObject({ current: { conversationsAnswered: 3, conversationsThanked: 1 } });
    const other = await get(`/v1/reports/insight?${period}&clientId=${a.otherClient.id}`, { cookie: stakeholder });
    expect(other.status).toBe(404);
  });
});

describe("reports.insightItems", () => {
  it("lists a stakeholder the thanks behind their gratitude index, and nothing of another client", async () => {
    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    const thanked = await callProcedure(app, {
      cookie: stakeholder,
      path: "reports.insightItems",
      type: "query",
      input: { from: "2026-11-01", to: "2026-11-30", figure: "thanked" },
    });
    const page = thanked.data as { total: number; items: Array<{ text: string; evidence: { thanks?: string } }> };
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ text: "Vielen Dank!", evidence: { thanks: "vielen dank" } });
  });
});
