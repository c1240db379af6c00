import { resolveScope } from "@parley/core/agencies";
import { type ItemChangeEvent, ingestChannelItems } from "@parley/core/moderation";
import { createProtocolVersion } from "@parley/core/protocols";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gamesProtocol } from "./fixtures";

/*
 * Ingest sends a delivery's clock terms once per priority and PostgreSQL joins them to the items it creates:
 * every new item must still get exactly the clocks and triage wake-up it got when they were sent row by row, and
 * nothing else may get any. The clocks' watch is armed by the wake-up queue at their first at-risk instant.
 */

let db: TestDatabase;
let a: TestAgency;
let channel: { id: string; agencyId: string; clientId: string; platform: "generic" };

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  const found = a.channels.find((c) => c.clientId === a.client.id);
  if (!found) throw new Error("no channel");
  channel = { id: found.id, agencyId: a.agency.id, clientId: a.client.id, platform: "generic" };
  const scope = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
    createProtocolVersion(scope, tx, { clientId: a.client.id, document: gamesProtocol }),
  );
});
afterAll(() => db.close());

let counter = 0;
function upsert(body: string, extra: { byBrand?: boolean } = {}): ItemChangeEvent {
  counter += 1;
  return {
    op: "upsert",
    item: {
      externalId: `flows-${counter}`,
      kind: "comment",
      author: { externalId: `author-${counter % 3}`, handle: `player${counter % 3}` },
      body,
      createdAt: new Date("2026-11-20T10:00:00Z"),
      ...extra,
    },
  };
}

async function flowsOf(itemIds: string[]) {
  const [clocks, wakeups, audit] = await Promise.all([
    db.owner.select().from(schema.slaClocks).where(inArray(schema.slaClocks.itemId, itemIds)),
    db.owner.select().from(schema.workflowWakeups).where(inArray(schema.workflowWakeups.subjectId, itemIds)),
    db.owner.select().from(schema.auditEvents).where(inArray(schema.auditEvents.subjectId, itemIds)),
  ]);
  return { clocks, wakeups, audit };
}

const minutes = (n: number) => n * 60_000;

describe("the flows a delivery starts", () => {
  it("gives each new item its priority's clocks, triage only where a step is due, and nothing twice", async () => {
    const now = new Date("2026-11-20T10:05:00.000Z");
    const events = [
      upsert("Someone hacked my account, please help"), // P1, triage authority
      upsert("I want a refund for this broken game"), // P2
      upsert("When does the next season start?"), // P3
      upsert("Absolutely love the new season"), // P4
      upsert("Thanks for reaching out, we're on it", { byBrand: true }),
      { op: "remove" as const, item: upsert("").item }, // removed before Parley saw it: a tombstone
    ];
    const result = await ingestChannelItems(db.app, channel, events, { now: () => now });
    expect(result).toMatchObject({ received: 6, created: 6, byBrand: 1, removed: 1 });
    const ids = result.items.map((item) => item.id);
    const [hacked, refund, general, praise, brand, tombstone] = ids;
    const items = await db.owner.select().from(schema.items).where(inArray(schema.items.id, ids));
    expect(new Map(items.map((row) => [row.id, row.priority]))).toEqual(
      new Map([
        [hacked, "P1"],
        [refund, "P2"],
        [general, "P3"],
        [praise, "P4"],
        [brand, "P3"],
        [tombstone, "P3"],
      ]),
    );
    const [agency] = await db.owner.select().from(schema.agencies).where(eq(schema.agencies.id, a.agency.id));
    const policy = agency?.slaPolicy as Array<{ priority: string; metric: string; minutes: number }>;

    const { clocks, wakeups } = await flowsOf(ids);
    // The client has no business hours: every target runs around the clock, from the delivery's arrival.
    for (const [id, priority] of [
      [hacked, "P1"],
      [refund, "P2"],
      [general, "P3"],
      [praise, "P4"],
    ] as const) {
      const expected = policy
        .filter((target) => target.priority === priority)
        .map((target) => ({
          itemId: id,
          metric: target.metric,
          priority,
          targetMinutes: target.minutes,
          contractId: null,
          startedAt: now,
          dueAt: new Date(now.getTime() + minutes(target.minutes)),
          atRiskAt: new Date(now.getTime() + minutes(target.minutes * 0.8)),
          stoppedAt: null,
          breachedAt: null,
          agencyId: a.agency.id,
          clientId: a.client.id,
        }))
        .sort((x, y) => x.metric.localeCompare(y.metric));
      const stored = clocks.filter((clock) => clock.itemId === id).sort((x, y) => x.metric.localeCompare(y.metric));
      expect(stored).toMatchObject(expected);
    }
    // Triage only for the item whose category gives moderators no authority, due at once; no clock is watched yet.
    expect(wakeups).toMatchObject([{ flow: "triage", subjectId: hacked, dueAt: now }]);
    // The brand's own message and a tombstone start nothing.
    expect(clocks.filter((clock) => clock.itemId === brand || clock.itemId === tombstone)).toEqual([]);
    expect(wakeups.filter((wakeup) => wakeup.subjectId === brand || wakeup.subjectId === tombstone)).toEqual([]);

    // The same delivery again, later: nothing is created, nothing is audited, no deadline moves.
    const before = await flowsOf(ids);
    const again = await ingestChannelItems(db.app, channel, events, { now: () => new Date(now.getTime() + 60_000) });
    expect(again).toMatchObject({ received: 6, created: 0, duplicates: 6 });
    const after = await flowsOf(ids);
    expect(after.clocks).toEqual(before.clocks);
    expect(after.wakeups).toEqual(before.wakeups);
    expect(after.audit).toEqual(before.audit);
    expect(before.audit.map((entry) => entry.action).sort()).toEqual([
      ...Array.from({ length: 5 }, () => "item.received"),
      "item.removed",
    ]);
  });

  it("starts a tombstone's flows when its text arrives with a restoration, from the item as restored", async () => {
    const { item } = upsert("");
    const removedAt = new Date("2026-11-20T11:00:00.000Z");
    const [tombstone] = (await ingestChannelItems(db.app, channel, [{ op: "remove", item }], { now: () => removedAt }))
      .items;
    if (!tombstone) throw new Error("no tombstone");
    expect((await flowsOf([tombstone.id])).clocks).toEqual([]);

    const restoredAt = new Date("2026-11-20T11:10:00.000Z");
    const restored = await ingestChannelItems(
      db.app,
      channel,
      [{ op: "restore", item: { ...item, body: "My lawyer will hear about this" } }],
      { now: () => restoredAt },
    );
    expect(restored).toMatchObject({ restored: 1 });
    const { clocks, wakeups } = await flowsOf([tombstone.id]);
    expect(clocks.map((clock) => [clock.metric, clock.priority, clock.startedAt, clock.dueAt]).sort()).toEqual([
      ["first_response", "P1", restoredAt, new Date(restoredAt.getTime() + minutes(15))],
      ["resolution", "P1", restoredAt, new Date(restoredAt.getTime() + minutes(240))],
    ]);
    expect(wakeups.map((wakeup) => [wakeup.flow, wakeup.dueAt])).toEqual([["triage", restoredAt]]);
  });
});
