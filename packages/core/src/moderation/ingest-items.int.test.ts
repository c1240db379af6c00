import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq, inArray, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import type { Scope } from "../kernel/scope";
import { createProtocolVersion } from "../protocols/protocol-versions";
import { countPeriodVolumes } from "../sla/period-aggregates";
import { ingestChannelItems } from "./ingest-channel.unscoped";
import type { IngestChannel } from "./ingest-context";
import { type ItemChangeEvent, ingestItems } from "./ingest-items";

let db: TestDatabase;
let a: TestAgency;
let scope: Scope;
let channel: IngestChannel;
let otherChannel: IngestChannel;

const protocol = {
  categories: [
    {
      key: "refund",
      name: "Refund",
      match: { keywords: ["refund*"] },
      priority: "P2",
      authority: "approval",
    },
  ],
  defaultCategory: { key: "general", priority: "P3" },
};

function event(externalId: string, body = `text ${externalId}`, author = `author-${externalId}`): ItemChangeEvent {
  return {
    op: "upsert",
    item: {
      externalId,
      kind: "comment",
      author: { externalId: author, handle: author },
      body,
      createdAt: new Date("2026-11-20T10:00:00Z"),
    },
  };
}

function shuffled<T>(values: readonly T[]): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

async function itemsOf(channelId: string) {
  return db.owner.select().from(schema.items).where(eq(schema.items.channelId, channelId));
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  const found = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!found) throw new Error("no scope");
  scope = found;
  const [first, second] = [a.client.id, a.otherClient.id].map((clientId) => {
    const row = a.channels.find((c) => c.clientId === clientId);
    if (!row) throw new Error("no channel");
    return { id: row.id, agencyId: row.agencyId, clientId: row.clientId, platform: row.platform };
  });
  if (!first || !second) throw new Error("no channels");
  channel = first;
  otherChannel = second;
});
afterAll(() => db.close());

describe("ingestItems", () => {
  it("links replies and parents delivered at the same time, whichever commits first", async () => {
    // Forty threads, each a post and a reply to it sent as two deliveries at once: in many pairs both are in flight
    // together and neither transaction sees the other's item; the later to commit links them afterwards.
    const threads = Array.from({ length: 40 }, (_, n) => `pair-${n}`);
    await Promise.all(
      threads.flatMap((name, n) => {
        const post = ingestChannelItems(db.app, channel, [event(name, "Launch day")]);
        const reply = ingestChannelItems(db.app, channel, [
          { op: "upsert", item: { ...event(`${name}-reply`, "Finally!").item, kind: "reply", parentExternalId: name } },
        ]);
        return n % 2 === 0 ? [post, reply] : [reply, post];
      }),
    );
    const rows = await itemsOf(channel.id);
    const idOf = new Map(rows.map((row) => [row.externalId, row.id]));
    const unlinked = threads.filter((name) => {
      const reply = rows.find((row) => row.externalId === `${name}-reply`);
      return !reply || reply.parentItemId !== idOf.get(name);
    });
    expect(unlinked).toEqual([]);
  });

  it("stores replies to a stored post side by side: no delivery waits for another's", async () => {
    await ingestChannelItems(db.app, channel, [event("launch-post", "We are live!")]);
    const replyTo = (name: string): ItemChangeEvent => ({
      op: "upsert",
      item: { ...event(name, "Servers down?").item, kind: "reply", parentExternalId: "launch-post" },
    });
    const outcome = await withTenant(db.app, { agencyId: a.agency.id, clientIds: [channel.clientId] }, async (tx) => {
      await ingestItems(channel, tx, { events: [replyTo("launch-reply-1")] });
      // Another delivery of a reply to the same post, while this one is still open: it must not wait for it.
      const other = ingestChannelItems(db.app, channel, [replyTo("launch-reply-2")]).then(() => "stored" as const);
      const bound = new Promise<"waiting">((resolve) => setTimeout(() => resolve("waiting"), 10_000));
      return Promise.race([other, bound]);
    });
    expect(outcome).toBe("stored");
    const rows = await itemsOf(channel.id);
    const post = rows.find((row) => row.externalId === "launch-post");
    for (const name of ["launch-reply-1", "launch-reply-2"]) {
      expect(rows.find((row) => row.externalId === name)?.parentItemId).toBe(post?.id);
    }
  });

  it("files items of a client without a protocol as uncategorised P3", async () => {
    const result = await ingestChannelItems(db.app, otherChannel, [event("np-1", "I want a refund")]);
    expect(result).toMatchObject({ received: 1, created: 1 });
    const [row] = await itemsOf(otherChannel.id);
    expect(row).toMatchObject({ categoryKey: null, priority: "P3", protocolVersionId: null, status: "queued" });
  });

  it("reclassifies an edit under the protocol active at the time", async () => {
    await ingestChannelItems(db.app, channel, [event("pv-1", "hello")]);
    const [before] = await db.owner.select().from(schema.items).where(eq(schema.items.externalId, "pv-1"));
    expect(before?.protocolVersionId).toBeNull();
    const saved = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      createProtocolVersion(scope, tx, { clientId: a.client.id, document: protocol }),
    );
    await ingestChannelItems(db.app, channel, [event("pv-1", "hello, I want a refund")]);
    const [after] = await db.owner.select().from(schema.items).where(eq(schema.items.externalId, "pv-1"));
    expect(after).toMatchObject({ categoryKey: "refund", priority: "P2", protocolVersionId: saved.id });
  });

  it("starts an item's clocks on its priority at receipt, and an edit that reclassifies it keeps them", async () => {
    // A version of its own (an identical save is refused), so the test does not lean on the one before.
    await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      createProtocolVersion(scope, tx, {
        clientId: a.client.id,
        document: { ...protocol, voiceGuidelines: "Warm and brief." },
      }),
    );
    await ingestChannelItems(db.app, channel, [event("cp-1", "I want a refund")]);
    const [received] = await db.owner.select().from(schema.items).where(eq(schema.items.externalId, "cp-1"));
    expect(received?.priority).toBe("P2");
    const clocksOf = (itemId: string) =>
      db.owner
        .select({
          metric: schema.slaClocks.metric,
          priority: schema.slaClocks.priority,
          targetMinutes: schema.slaClocks.targetMinutes,
          dueAt: schema.slaClocks.dueAt,
        })
        .from(schema.slaClocks)
        .where(eq(schema.slaClocks.itemId, itemId))
        .orderBy(schema.slaClocks.metric);
    const started = await clocksOf(received!.id);
    expect(started).toMatchObject([
      // No contract: the agency's default policy (P2: 60 and 480 business minutes).
      { metric: "first_response", priority: "P2", targetMinutes: 60 },
      { metric: "resolution", priority: "P2", targetMinutes: 480 },
    ]);

    const edited = await ingestChannelItems(db.app, channel, [event("cp-1", "Never mind, all sorted")]);
    expect(edited).toMatchObject({ edited: 1 });
    const [after] = await db.owner.select().from(schema.items).where(eq(schema.items.externalId, "cp-1"));
    expect(after).toMatchObject({ categoryKey: "general", priority: "P3" });
    expect(await clocksOf(received!.id)).toEqual(started);
  });

  it("stores 1000 items in one delivery, and the redelivery creates nothing", async () => {
    const events = Array.from({ length: 1000 }, (_, i) =>
      event(`bulk-${i}`, `bulk body ${i}`, `bulk-author-${i % 250}`),
    );
    const first = await ingestChannelItems(db.app, channel, events);
    const again = await ingestChannelItems(db.app, channel, shuffled(events));
    expect(first).toMatchObject({ received: 1000, created: 1000, duplicates: 0 });
    expect(again).toMatchObject({ received: 1000, created: 0, duplicates: 1000 });
    const customers = await db.owner
      .select()
      .from(schema.customerIdentities)
      .where(and(eq(schema.customerIdentities.clientId, a.client.id)));
    expect(customers.filter((c) => c.externalAuthorId.startsWith("bulk-author-"))).toHaveLength(250);
    // Each clock's id is a UUID v7 with its item's time, so the delivery's clocks go to adjacent pages of the key.
    const clocks = await db.owner
      .select({ id: schema.slaClocks.id, itemId: schema.slaClocks.itemId })
      .from(schema.slaClocks)
      .innerJoin(schema.items, eq(schema.items.id, schema.slaClocks.itemId))
      .where(like(schema.items.externalId, "bulk-%"));
    expect(clocks).toHaveLength(2000);
    for (const clock of clocks) {
      expect(clock.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(clock.id.slice(0, 13)).toBe(clock.itemId.slice(0, 13));
    }
    expect(new Set(clocks.map((clock) => clock.id)).size).toBe(2000);
  });

  it("loses and duplicates nothing when overlapping batches arrive concurrently in any order", async () => {
    const pool = Array.from({ length: 300 }, (_, i) => event(`race-${i}`, `race ${i}`, `race-author-${i % 40}`));
    const deliveries = Array.from({ length: 8 }, () => shuffled(pool).slice(0, 200));
    const expected = new Set(deliveries.flat().map((e) => e.item.externalId));
    const results = await Promise.all(deliveries.map((events) => ingestChannelItems(db.app, channel, events)));
    expect(results.reduce((sum, r) => sum + r.created, 0)).toBe(expected.size);
    const rows = (await itemsOf(channel.id)).filter((row) => row.externalId.startsWith("race-"));
    expect(rows).toHaveLength(expected.size);
    const identities = await db.owner
      .select()
      .from(schema.customerIdentities)
      .where(eq(schema.customerIdentities.clientId, a.client.id));
    const raceAuthors = identities.filter((c) => c.externalAuthorId.startsWith("race-author-"));
    expect(new Set(raceAuthors.map((c) => c.externalAuthorId)).size).toBe(raceAuthors.length);
    // Every customer row is used by an identity: losers of a race leave no orphans behind.
    const customers = await db.owner.select().from(schema.customers).where(eq(schema.customers.clientId, a.client.id));
    const used = new Set(identities.map((c) => c.customerId));
    expect(customers.filter((c) => !used.has(c.id))).toEqual([]);
    // Each item's clocks started once, by the delivery that created it.
    const raceIds = rows.map((row) => row.id);
    const clocks = await db.owner.select().from(schema.slaClocks).where(inArray(schema.slaClocks.itemId, raceIds));
    const [agency] = await db.owner.select().from(schema.agencies).where(eq(schema.agencies.id, a.agency.id));
    const targets = agency?.slaPolicy as Array<{ priority: string }>;
    const expectedClocks = rows.reduce(
      (sum, row) => sum + targets.filter((t) => t.priority === row.priority).length,
      0,
    );
    expect(expectedClocks).toBeGreaterThan(0);
    expect(clocks).toHaveLength(expectedClocks);
    expect(new Set(clocks.map((clock) => `${clock.itemId} ${clock.metric}`)).size).toBe(clocks.length);
  });

  it("restores an item seen alive and then removed; a tombstone comes back only on an explicit restoration", async () => {
    const clocksOf = (itemId: string) =>
      db.owner.select().from(schema.slaClocks).where(eq(schema.slaClocks.itemId, itemId));
    const rowOf = async (externalId: string) =>
      (await itemsOf(channel.id)).find((row) => row.externalId === externalId);

    // Alive, removed, reported again (a generic upsert after a removal, or Meta's `add` after its `remove`).
    await ingestChannelItems(db.app, channel, [event("back-1", "Where is my refund?")]);
    await ingestChannelItems(db.app, channel, [{ ...event("back-1", ""), op: "remove" }]);
    expect(await rowOf("back-1")).toMatchObject({ status: "deleted", statusBeforeRemoval: "queued" });
    const back = await ingestChannelItems(db.app, channel, [event("back-1", "Where is my refund?")]);
    expect(back).toMatchObject({ restored: 1, duplicates: 0, edited: 0 });
    expect(await rowOf("back-1")).toMatchObject({ status: "queued", removedAt: null, statusBeforeRemoval: null });

    // Removed before Parley saw it: its late creation fills in the text but leaves it removed, with no clocks.
    await ingestChannelItems(db.app, channel, [{ ...event("tomb-1", ""), op: "remove" }]);
    const late = await ingestChannelItems(db.app, channel, [event("tomb-1", "Late text")]);
    expect(late).toMatchObject({ edited: 1, restored: 0 });
    const tomb = await rowOf("tomb-1");
    expect(tomb).toMatchObject({ status: "deleted", body: "Late text", removedAt: expect.any(Date) });
    expect(await clocksOf(tomb?.id ?? "")).toEqual([]);

    // An explicit restoration (Discourse's post_recovered) brings even a tombstone back, and starts its clocks.
    await ingestChannelItems(db.app, channel, [{ ...event("tomb-2", ""), op: "remove" }]);
    const recovered = await ingestChannelItems(db.app, channel, [
      { ...event("tomb-2", "Recovered text"), op: "restore" },
    ]);
    expect(recovered).toMatchObject({ restored: 1 });
    const restored = await rowOf("tomb-2");
    expect(restored).toMatchObject({ status: "queued", body: "Recovered text", removedAt: null });
    expect((await clocksOf(restored?.id ?? "")).map((clock) => clock.metric).sort()).toEqual([
      "first_response",
      "resolution",
    ]);
  });

  it("keeps the brand's own messages out of the queue, the customers and the invoice count", async () => {
    const month = {
      clientId: channel.clientId,
      calendars: [],
      period: {
        periodStart: "2000-01-01",
        periodEnd: "2100-01-01",
        timeZone: "UTC",
        from: new Date("2000-01-01T00:00:00Z"),
        to: new Date("2100-01-01T00:00:00Z"),
      },
    };
    const billed = () =>
      withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
        countPeriodVolumes(scope, tx, { clients: [month] }),
      ).then((volumes) => volumes.get(channel.clientId)?.itemCount);
    const before = await billed();
    const brand: ItemChangeEvent = { ...event("brand-1", "Thanks for your patience!", "page-acct"), op: "upsert" };
    brand.item.byBrand = true;
    const result = await ingestChannelItems(db.app, channel, [brand]);
    expect(await billed()).toBe(before);
    await ingestChannelItems(db.app, channel, [event("customer-after-brand")]);
    expect(await billed()).toBe((before ?? 0) + 1);
    expect(result).toMatchObject({ created: 1, byBrand: 1, deliveriesConfirmed: 0 });
    const [row] = (await itemsOf(channel.id)).filter((item) => item.externalId === "brand-1");
    expect(row).toMatchObject({ byBrand: true, status: "resolved", customerId: null, categoryKey: null });
    const identities = await db.owner
      .select()
      .from(schema.customerIdentities)
      .where(eq(schema.customerIdentities.externalAuthorId, "page-acct"));
    expect(identities).toEqual([]);
  });
});
