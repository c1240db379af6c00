import { ingestChannelItems } from "@parley/core/moderation";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let db: TestDatabase;
let a: TestAgency;
let b: TestAgency;

const event = (externalId: string) => ({
  op: "upsert" as const,
  item: {
    externalId,
    kind: "comment" as const,
    author: { externalId: `author-${externalId}`, handle: "someone" },
    body: `text of ${externalId}`,
    createdAt: new Date(),
  },
});

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  for (const agency of [a, b]) {
    for (const channel of agency.channels) await ingestChannelItems(db.app, channel, [event(`x-${channel.id}`)]);
  }
});
afterAll(() => db.close());

describe("row-level security on moderation tables", () => {
  it("shows a scoped member only their clients' items, customers and identities", async () => {
    const seen = await withTenant(db.app, { agencyId: a.agency.id, clientIds: [a.client.id] }, async (tx) => ({
      items: await tx.select().from(schema.items),
      customers: await tx.select().from(schema.customers),
      identities: await tx.select().from(schema.customerIdentities),
    }));
    expect(seen.items.map((i) => i.clientId)).toEqual([a.client.id]);
    expect(seen.customers.map((c) => c.clientId)).toEqual([a.client.id]);
    expect(seen.identities.map((c) => c.clientId)).toEqual([a.client.id]);
    const agencyWide = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      tx.select().from(schema.items),
    );
    expect(agencyWide.map((i) => i.agencyId)).toEqual([a.agency.id, a.agency.id]);
  });

  it("refuses to write an item into another agency, and ingest cannot reach another tenant's rows", async () => {
    const channel = b.channels[0];
    if (!channel) throw new Error("no channel");
    await expect(
      withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
        tx.insert(schema.items).values({
          agencyId: b.agency.id,
          clientId: channel.clientId,
          channelId: channel.id,
          externalId: "smuggled",
          kind: "comment",
          authorExternalId: "x",
          authorHandle: "x",
          body: "x",
          createdAt: new Date(),
        }),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    const updated = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      tx
        .update(schema.items)
        .set({ body: "rewritten" })
        .where(sql`${schema.items.agencyId} = ${b.agency.id}`)
        .returning(),
    );
    expect(updated).toEqual([]);
  });

  it("lets the ingest lookup read the one channel it names, nothing else", async () => {
    const target = a.channels[0];
    const rows = await db.app.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.ingest_channel_id', ${target?.id ?? ""}, true)`);
      return {
        channels: await tx.select({ id: schema.channels.id }).from(schema.channels),
        items: await tx.select({ id: schema.items.id }).from(schema.items),
        clients: await tx.select({ id: schema.clients.id }).from(schema.clients),
      };
    });
    expect(rows).toEqual({ channels: [{ id: target?.id }], items: [], clients: [] });
  });
});
