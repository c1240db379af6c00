import { resolveScope } from "@parley/core/agencies";
import { createProtocolVersion } from "@parley/core/protocols";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp, type TestApp } from "../support/http";
import { gamesProtocol, postItems, signedHeaders, wireItem } from "./fixtures";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let channelId: string;
let secret: string;
let protocolVersionId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  const channel = a.channels.find((c) => c.clientId === a.client.id);
  if (!channel) throw new Error("no channel");
  channelId = channel.id;
  secret = testSecretBox.decrypt(channel.ingestSecretEnc);
  const scope = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  const saved = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
    createProtocolVersion(scope, tx, { clientId: a.client.id, document: gamesProtocol }),
  );
  protocolVersionId = saved.id;
});
afterAll(() => db.close());

const post = (body: unknown, timestamp?: number) => postItems(app, { channelId, secret, body, timestamp });

async function itemsByExternalId(externalIds: string[]) {
  const rows = await db.owner
    .select()
    .from(schema.items)
    .where(and(eq(schema.items.channelId, channelId), inArray(schema.items.externalId, externalIds)));
  return new Map(rows.map((row) => [row.externalId, row]));
}

async function countItems(): Promise<number> {
  const rows = await db.owner.select({ id: schema.items.id }).from(schema.items);
  return rows.length;
}

describe("POST /v1/channels/{channelId}/items", () => {
  it("stores a signed batch, classified by the client's active protocol", async () => {
    const author = { externalId: "fb-1001", handle: "dana", displayName: "Dana" };
    const batch = [
      wireItem({ body: "Someone hacked my account and stole my account skins", author }),
      wireItem({ body: "I want my money back, refund please", author }),
      wireItem({ body: "I love this game, amazing launch" }),
      wireItem({ body: "You bastards broke the servers", language: "en" }),
      wireItem({ body: "When does the next season start?" }),
    ];
    const { status, json } = await post({ items: batch });
    expect(status).toBe(200);
    expect(json).toMatchObject({ received: 5, created: 5, duplicates: 0 });
    const answered = json.items as Array<{ externalId: string; id: string; created: boolean }>;
    expect(answered.map((i) => i.externalId)).toEqual(batch.map((i) => i.externalId));
    expect(answered.every((i) => i.created)).toBe(true);

    const rows = await itemsByExternalId(batch.map((i) => i.externalId as string));
    const [hacked, refund, praise, rude, general] = batch.map((i) => rows.get(i.externalId as string));
    expect(hacked).toMatchObject({
      categoryKey: "account_hacked",
      priority: "P1",
      riskFlags: ["safety"],
      authority: "triage",
      status: "queued",
      protocolVersionId,
      agencyId: a.agency.id,
      clientId: a.client.id,
      authorHandle: "dana",
      authorDisplayName: "Dana",
    });
    expect(refund).toMatchObject({ categoryKey: "refund", priority: "P2", riskFlags: [], authority: "approval" });
    expect(praise).toMatchObject({ categoryKey: "praise", priority: "P4", authority: "respond" });
    expect(rude).toMatchObject({ categoryKey: "general", priority: "P3", moderationAction: "hide", language: "en" });
    expect(general).toMatchObject({ categoryKey: "general", priority: "P3", moderationAction: null });
    // One customer for the author who wrote twice.
    expect(hacked?.customerId).toBeTruthy();
    expect(refund?.customerId).toBe(hacked?.customerId);
    const identities = await db.owner
      .select()
      .from(schema.customerIdentities)
      .where(eq(schema.customerIdentities.externalAuthorId, "fb-1001"));
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({ customerId: hacked?.customerId, handle: "dana", platform: "generic" });
    const audit = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.action, "item.received"), eq(schema.auditEvents.subjectId, hacked?.id ?? "")));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ protocolVersionId, clientId: a.client.id });
  });

  it("accepts a single item as the whole body", async () => {
    const item = wireItem();
    const { status, json } = await post(item);
    expect(status).toBe(200);
    expect(json).toMatchObject({ received: 1, created: 1, items: [{ externalId: item.externalId, created: true }] });
  });

  it("never duplicates a redelivered or reordered batch", async () => {
    const batch = Array.from({ length: 6 }, () => wireItem());
    const first = await post({ items: batch });
    expect(first.json).toMatchObject({ received: 6, created: 6, duplicates: 0 });
    const again = await post({ items: batch });
    expect(again.json).toMatchObject({ received: 6, created: 0, duplicates: 6 });
    const reversed = await post({ items: [...batch].reverse() });
    expect(reversed.json).toMatchObject({ received: 6, created: 0, duplicates: 6 });
    const ids = (first.json.items as Array<{ id: string }>).map((i) => i.id);
    expect((again.json.items as Array<{ id: string }>).map((i) => i.id)).toEqual(ids);
    expect((reversed.json.items as Array<{ id: string }>).map((i) => i.id)).toEqual([...ids].reverse());
    const rows = await itemsByExternalId(batch.map((i) => i.externalId as string));
    expect(rows.size).toBe(6);
  });

  it("stores exactly one item for 20 concurrent identical deliveries", async () => {
    const item = wireItem({ author: { externalId: "racer-1", handle: "racer" } });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => post({ items: [item] })));
    expect(outcomes.map((o) => o.status)).toEqual(Array(20).fill(200));
    expect(outcomes.reduce((sum, o) => sum + (o.json.created as number), 0)).toBe(1);
    expect(outcomes.reduce((sum, o) => sum + (o.json.duplicates as number), 0)).toBe(19);
    const ids = new Set(outcomes.map((o) => (o.json.items as Array<{ id: string }>)[0]?.id));
    expect(ids.size).toBe(1);
    const rows = await db.owner
      .select()
      .from(schema.items)
      .where(and(eq(schema.items.channelId, channelId), eq(schema.items.externalId, item.externalId as string)));
    expect(rows).toHaveLength(1);
    const identities = await db.owner
      .select()
      .from(schema.customerIdentities)
      .where(eq(schema.customerIdentities.externalAuthorId, "racer-1"));
    expect(identities).toHaveLength(1);
    const customers = await db.owner
      .select()
      .from(schema.customers)
      .where(eq(schema.customers.id, identities[0]?.customerId ?? ""));
    expect(customers).toHaveLength(1);
    expect(rows[0]?.customerId).toBe(identities[0]?.customerId);
  });

  it("keeps the earlier text of an edit in audit_events and reclassifies", async () => {
    const item = wireItem({ body: "When is the patch coming?" });
    const created = await post({ items: [item] });
    const id = (created.json.items as Array<{ id: string }>)[0]?.id ?? "";
    const edited = await post({ items: [{ ...item, body: "Still no patch, I want a refund" }] });
    expect(edited.json).toMatchObject({ received: 1, created: 0, edited: 1, duplicates: 0 });
    const [row] = await db.owner.select().from(schema.items).where(eq(schema.items.id, id));
    expect(row).toMatchObject({ body: "Still no patch, I want a refund", categoryKey: "refund", priority: "P2" });
    const audit = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.subjectId, id), eq(schema.auditEvents.action, "item.edited")));
    expect(audit).toHaveLength(1);
    expect(audit[0]?.before).toMatchObject({ body: "When is the patch coming?", categoryKey: "general" });
    expect(audit[0]?.after).toMatchObject({ body: "Still no patch, I want a refund", categoryKey: "refund" });
    // The same edit delivered again changes nothing.
    const again = await post({ items: [{ ...item, body: "Still no patch, I want a refund" }] });
    expect(again.json).toMatchObject({ duplicates: 1, edited: 0 });
  });

  it("applies several events for one item in delivery order", async () => {
    const item = wireItem({ body: "first text" });
    const { json } = await post({ items: [item, { ...item, body: "second text" }] });
    expect(json).toMatchObject({ received: 2, created: 1, edited: 1 });
    const rows = await itemsByExternalId([item.externalId as string]);
    expect(rows.get(item.externalId as string)?.body).toBe("second text");
  });

  it("links a reply that arrives before its parent, and one that arrives after", async () => {
    const parent = wireItem({ kind: "post", body: "Patch notes 1.2" });
    const early = wireItem({ kind: "reply", parentExternalId: parent.externalId, body: "First!" });
    await post({ items: [early] });
    let rows = await itemsByExternalId([early.externalId as string]);
    expect(rows.get(early.externalId as string)?.parentItemId).toBeNull();
    await post({ items: [parent] });
    const late = wireItem({ kind: "reply", parentExternalId: parent.externalId, body: "Nice" });
    await post({ items: [late] });
    // Both in one batch, child first.
    const parent2 = wireItem({ kind: "post", body: "Another post" });
    const child2 = wireItem({ kind: "reply", parentExternalId: parent2.externalId, body: "Reply in the same batch" });
    await post({ items: [child2, parent2] });
    rows = await itemsByExternalId([parent, early, late, parent2, child2].map((i) => i.externalId as string));
    const parentId = rows.get(parent.externalId as string)?.id;
    expect(rows.get(early.externalId as string)?.parentItemId).toBe(parentId);
    expect(rows.get(late.externalId as string)?.parentItemId).toBe(parentId);
    // A reply to a stored post is written linked, not updated after its insert: it was last written on arrival.
    expect(rows.get(late.externalId as string)?.updatedAt).toEqual(rows.get(late.externalId as string)?.receivedAt);
    expect(rows.get(child2.externalId as string)?.parentItemId).toBe(rows.get(parent2.externalId as string)?.id);
  });

  it("links a reply and its parent delivered at the same moment in two requests", async () => {
    const pairs = Array.from({ length: 25 }, () => {
      const parent = wireItem({ kind: "post", body: "Launch day" });
      return { parent, reply: wireItem({ kind: "reply", parentExternalId: parent.externalId, body: "Finally!" }) };
    });
    await Promise.all(pairs.flatMap(({ parent, reply }) => [post({ items: [reply] }), post({ items: [parent] })]));
    const rows = await itemsByExternalId(
      pairs.flatMap(({ parent, reply }) => [parent, reply].map((i) => i.externalId as string)),
    );
    for (const { parent, reply } of pairs) {
      expect(rows.get(reply.externalId as string)?.parentItemId).toBe(rows.get(parent.externalId as string)?.id);
    }
  });

  it("records a removal, and a removal that overtakes its item is not undone by it", async () => {
    const item = wireItem();
    await post({ items: [item] });
    const removed = await post({ items: [{ ...item, op: "remove", body: "" }] });
    expect(removed.json).toMatchObject({ removed: 1, created: 0 });
    const early = wireItem();
    await post({ items: [{ ...early, op: "remove", body: "" }] });
    const late = await post({ items: [early] });
    expect(late.json).toMatchObject({ created: 0 });
    const rows = await itemsByExternalId([item.externalId as string, early.externalId as string]);
    expect(rows.get(item.externalId as string)).toMatchObject({ status: "deleted", removedAt: expect.any(Date) });
    expect(rows.get(early.externalId as string)).toMatchObject({
      status: "deleted",
      removedAt: expect.any(Date),
      body: early.body,
    });
  });

  it("answers 401 and stores nothing for a missing, bad or stale signature", async () => {
    const before = await countItems();
    const raw = JSON.stringify({ items: [wireItem()] });
    const url = `http://parley.test/v1/channels/${channelId}/items`;
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Record<string, string>]> = [
      ["missing_signature", { "content-type": "application/json", "x-parley-timestamp": String(now) }],
      ["missing_timestamp", { ...signedHeaders(secret, raw), "x-parley-timestamp": "" }],
      ["bad_signature", signedHeaders("not-the-secret", raw)],
      ["bad_signature", { ...signedHeaders(secret, raw), "x-parley-timestamp": String(now - 1) }],
      ["stale_timestamp", signedHeaders(secret, raw, now - 3600)],
    ];
    for (const [reason, headers] of cases) {
      const response = await app.request(url, { method: "POST", headers, body: raw });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { code: string; details: { reason: string } } };
      expect(body.error).toMatchObject({ code: "UNAUTHENTICATED", details: { reason } });
    }
    // Signed for another channel: the secret is per channel.
    const other = a.channels.find((c) => c.clientId === a.otherClient.id);
    const response = await app.request(`http://parley.test/v1/channels/${other?.id}/items`, {
      method: "POST",
      headers: signedHeaders(secret, raw),
      body: raw,
    });
    expect(response.status).toBe(401);
    expect(await countItems()).toBe(before);
  });

  it("answers 400 naming each bad field and stores nothing of the batch", async () => {
    const before = await countItems();
    const batch = Array.from({ length: 5 }, () => wireItem());
    batch[3] = { ...batch[3], author: { externalId: "x-1" } };
    batch[1] = { ...batch[1], kind: "tweet" };
    const { status, json } = await post({ items: batch });
    expect(status).toBe(400);
    const error = json.error as { code: string; message: string; details: { fields: Record<string, string> } };
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual({
      "items.3.author.handle": "is required",
      "items.1.kind": expect.any(String),
    });
    expect(error.message).toContain("items.3.author.handle");
    const malformed = await post("{ not json");
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatchObject({ details: { fields: { body: "must be valid JSON" } } });
    expect(await countItems()).toBe(before);
  });

  it("answers 400 for text PostgreSQL cannot store (NUL, half a surrogate pair) and stores nothing", async () => {
    const before = await countItems();
    const batch = [wireItem(), wireItem({ body: "refund now\u0000" }), wireItem({ body: "cut emoji \ud83c" })];
    const { status, json } = await post({ items: batch });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({
      code: "BAD_INPUT",
      details: {
        fields: {
          "items.1.body": "must not contain NUL (U+0000) characters",
          "items.2.body": "must be valid Unicode text (it holds half of a surrogate pair)",
        },
      },
    });
    expect(await countItems()).toBe(before);
  });

  it("answers 413 for more than 1000 items and for a body over 1 MB", async () => {
    const before = await countItems();
    const tooMany = await post({ items: Array.from({ length: 1001 }, () => wireItem()) });
    expect(tooMany.status).toBe(413);
    expect(tooMany.json.error).toMatchObject({
      code: "LIMIT_EXCEEDED",
      details: { reason: "payload_too_large", limit: 1000 },
    });
    const huge = await post({ items: [wireItem({ body: "x".repeat(1024 * 1024) })] });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toMatchObject({ details: { reason: "payload_too_large" } });
    expect(await countItems()).toBe(before);
  });

  it("answers 404 for an unknown channel or an id that is not a UUID", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const { status, json } = await postItems(app, { channelId: id, secret, body: { items: [wireItem()] } });
      expect(status).toBe(404);
      expect(json.error).toMatchObject({ code: "NOT_FOUND", details: { reason: "channel_not_found" } });
    }
  });

  it("stores a batch of 100 in one request", async () => {
    // Its speed is measured apart from the tests: npm run bench -- ingest.
    const batch = Array.from({ length: 100 }, (_, i) =>
      wireItem({ author: { externalId: `bulk-${i % 30}`, handle: `bulk${i % 30}` } }),
    );
    const { status, json } = await post({ items: batch });
    expect(status).toBe(200);
    expect(json).toMatchObject({ received: 100, created: 100 });
    const stored = await itemsByExternalId(batch.map((item) => String(item.externalId)));
    expect(stored.size).toBe(100);
    expect(new Set([...stored.values()].map((item) => item.customerId)).size).toBe(30);
  });
});
