import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { type Scope, tenantOf } from "../kernel/scope";
import { type PlantedTopic, plantedWeeks } from "./planted-topics.fixture";
import { findRisingTopics, getClientTopics, listTopicItems } from "./topics";

/**
 * Client A (London) over five weeks: the week of 23 November 2026 against the four before it. Parcels not
 * delivered (English) go from 5 a week to 15 — rising; missing refunds (French) stay at 6 a week; app crashes at
 * login (English) appear in the week only — new. One-off messages throughout; the brand's own posts and deleted
 * spam about parcels, and client B's parcel complaints, must not count.
 */
let db: TestDatabase;
let a: TestAgency;
let b: TestAgency;
const week = { from: "2026-11-23", to: "2026-11-29" };
const now = () => new Date("2026-11-30T09:00:00Z");
const plantedInWeek = new Map<PlantedTopic, string[]>();
let externalIds = 0;

const as = <T>(scope: Scope, work: Parameters<typeof withTenant<T>>[2]) => withTenant(db.app, tenantOf(scope), work);
async function scopeOf(agency: TestAgency, userId: string): Promise<Scope> {
  const scope = await resolveScope(db.app, { userId, agencyId: agency.agency.id });
  if (!scope) throw new Error("not a member");
  return scope;
}

const categoryOf: Record<PlantedTopic, string> = {
  parcel_not_delivered: "delivery",
  refund_missing: "refund",
  app_crash_login: "app",
};

async function insertItems(
  agency: TestAgency,
  clientId: string,
  rows: Array<{ text: string; topic: PlantedTopic | null; receivedAt: Date }>,
  fields: Partial<typeof schema.items.$inferInsert> = {},
): Promise<string[]> {
  const channel = agency.channels.find((candidate) => candidate.clientId === clientId);
  const inserted = await db.owner
    .insert(schema.items)
    .values(
      rows.map((row, index) => ({
        agencyId: agency.agency.id,
        clientId,
        channelId: channel?.id ?? "",
        externalId: `item-${++externalIds}`,
        kind: "comment" as const,
        authorExternalId: `author-${index}`,
        authorHandle: `@customer${index}`,
        body: row.text,
        categoryKey: row.topic ? categoryOf[row.topic] : null,
        createdAt: row.receivedAt,
        receivedAt: row.receivedAt,
        ...fields,
      })),
    )
    .returning({ id: schema.items.id });
  return inserted.map((row) => row.id);
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  const before = ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"].map((weekStart) => ({
    weekStart,
    counts: { parcel_not_delivered: 5, refund_missing: 6 },
    noise: 30,
  }));
  await insertItems(a, a.client.id, plantedWeeks(before));
  const thisWeek = plantedWeeks(
    [{ weekStart: week.from, counts: { parcel_not_delivered: 15, refund_missing: 6, app_crash_login: 8 }, noise: 30 }],
    99,
  );
  const ids = await insertItems(a, a.client.id, thisWeek);
  thisWeek.forEach((row, index) => {
    if (row.topic) plantedInWeek.set(row.topic, [...(plantedInWeek.get(row.topic) ?? []), ids[index] ?? ""]);
  });
  // Not the customers' topics: the brand's own posts and spam the protocol deleted.
  const parcels = plantedWeeks([{ weekStart: week.from, counts: { parcel_not_delivered: 6 }, noise: 0 }], 5);
  await insertItems(a, a.client.id, parcels, { byBrand: true });
  await insertItems(a, a.client.id, parcels, { status: "deleted" });
  await insertItems(a, a.client.id, parcels, { moderationAction: "delete" });
  // Client B and another agency have parcel complaints of their own.
  await insertItems(a, a.otherClient.id, parcels);
  await insertItems(b, b.client.id, parcels);
});
afterAll(() => db.close());

describe("a client's recurring topics", () => {
  it("finds the planted complaints with their volumes, trends and new-this-week, and the protocol's categories", async () => {
    const scope = await scopeOf(a, a.users.accountManager.id);
    const view = await as(scope, (tx) => getClientTopics(scope, tx, { clientId: a.client.id, ...week }, { now }));
    expect(view.itemsInPeriod).toBe(15 + 6 + 8 + 30);
    const planted = view.topics.filter((topic) => topic.volume >= 5);
    expect(
      planted.map(({ terms, volume, previousFourWeeks, trendPercent, newThisWeek, rising }) => ({
        first: terms[0],
        volume,
        previousFourWeeks,
        trendPercent,
        newThisWeek,
        rising,
      })),
    ).toEqual([
      { first: "delivered", volume: 15, previousFourWeeks: 20, trendPercent: 200, newThisWeek: false, rising: true },
      { first: "app", volume: 8, previousFourWeeks: 0, trendPercent: null, newThisWeek: true, rising: true },
      { first: "remboursement", volume: 6, previousFourWeeks: 24, trendPercent: 0, newThisWeek: false, rising: false },
    ]);
    expect(view.topics.every((topic) => topic.volume < 5 || planted.includes(topic))).toBe(true);
    expect(view.categories.map(({ key, volume, previousFourWeeks }) => [key, volume, previousFourWeeks])).toEqual([
      ["category:delivery", 15, 20],
      ["category:app", 8, 0],
      ["category:refund", 6, 24],
    ]);
    // Examples are the topic's latest items of the period, linked by id.
    const parcels = planted[0];
    expect(parcels?.examples).toHaveLength(3);
    for (const example of parcels?.examples ?? []) {
      expect(plantedInWeek.get("parcel_not_delivered")).toContain(example.itemId);
    }
    expect(findRisingTopics(view).map((topic) => topic.key)).toEqual([
      parcels?.key,
      "category:delivery",
      planted[1]?.key,
      "category:app",
    ]);
  });

  it("drills down from a topic to exactly the items its volume counted", async () => {
    const scope = await scopeOf(a, a.users.stakeholder.id);
    const view = await as(scope, (tx) => getClientTopics(scope, tx, { clientId: a.client.id, ...week }, { now }));
    const parcels = view.topics[0];
    const drill = await as(scope, (tx) =>
      listTopicItems(scope, tx, { clientId: a.client.id, ...week, topicKey: parcels?.key ?? "", limit: 500 }, { now }),
    );
    expect(drill.total).toBe(15);
    expect(drill.items.map((item) => item.itemId).sort()).toEqual(
      [...(plantedInWeek.get("parcel_not_delivered") ?? [])].sort(),
    );
    const page = await as(scope, (tx) =>
      listTopicItems(scope, tx, { clientId: a.client.id, ...week, topicKey: "category:app", offset: 5, limit: 5 }),
    );
    expect(page.total).toBe(8);
    expect(page.items).toHaveLength(3);
    await expect(
      as(scope, (tx) => listTopicItems(scope, tx, { clientId: a.client.id, ...week, topicKey: "terms:nothing" })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("shows a stakeholder only their client's topics, and another agency nothing", async () => {
    const stakeholder = await scopeOf(a, a.users.stakeholder.id);
    await expect(
      as(stakeholder, (tx) => getClientTopics(stakeholder, tx, { clientId: a.otherClient.id, ...week })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const other = await scopeOf(b, b.users.owner.id);
    await expect(
      as(other, (tx) => getClientTopics(other, tx, { clientId: a.client.id, ...week })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Client B's own parcel complaints are its own topic, none of A's items in it.
    const owner = await scopeOf(a, a.users.owner.id);
    const viewB = await as(owner, (tx) => getClientTopics(owner, tx, { clientId: a.otherClient.id, ...week }));
    expect(viewB.topics.map((topic) => topic.volume)).toEqual([6]);
  });

  it("refuses a period that ends before it starts or spans more than 92 days, naming the field", async () => {
    const owner = await scopeOf(a, a.users.owner.id);
    for (const period of [
      { from: "2026-11-29", to: "2026-11-23" },
      { from: "2026-01-01", to: "2026-06-30" },
    ]) {
      await expect(
        as(owner, (tx) => getClientTopics(owner, tx, { clientId: a.client.id, ...period })),
      ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { to: expect.any(String) } } });
    }
  });
});
