import { schema } from "@parley/db";
import type { TestAgency, TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../support/http";
import {
  addChannel,
  auditOf,
  deliverFor,
  deliveryDeps,
  type FakePlatform,
  genericChannelOf,
  ingestItem,
  itemRow,
  type ModerationSuite,
  mutate,
  openModerationSuite,
  query,
} from "./moderation-support";

let suite: ModerationSuite;
let db: TestDatabase;
let app: TestApp;
let platform: FakePlatform;
let a: TestAgency;
let moderator: string;

beforeAll(async () => {
  suite = await openModerationSuite();
  ({ db, app, platform, agency: a, moderator } = suite);
});
afterAll(() => suite.close());

interface Detail {
  customer: { id: string; identities: Array<{ platform: string; handle: string }> } | null;
  thread: Array<{ id: string }>;
  history: Array<{ item: { id: string }; replies: Array<{ body: string; status: string }> }>;
  toldElsewhere: Array<{ channelId: string; platform: string; text: string; sentAt: Date }>;
}

describe("the customer across channels", () => {
  it("shows what the customer was told elsewhere once the moderator links them, merging the two customers", async () => {
    const facebook = await addChannel(db, a, {
      clientId: a.client.id,
      platform: "facebook",
      credentials: { pageAccessToken: "token" },
    });
    const community = genericChannelOf(a, a.client.id);
    const onFacebook = await ingestItem(db, facebook, { body: "My order never arrived", author: "fb-dana" });
    const old = await ingestItem(db, facebook, {
      body: "First order was late too",
      author: "fb-dana",
      createdAt: new Date(Date.now() - 40 * 86_400_000),
    });
    const told = "So sorry Dana, we've re-sent your order with tracking today.";
    await mutate(app, moderator, "replies.send", { itemId: onFacebook.id, text: told });
    expect((await deliverFor(db, a, deliveryDeps(platform))).sent).toBe(1);

    const onCommunity = await ingestItem(db, community, {
      body: "Still no order, this is the second time",
      author: "dana-in-community",
      threadExternalId: "thread-77",
    });
    const followUp = await ingestItem(db, community, {
      body: "Anyone?",
      author: "dana-in-community",
      threadExternalId: "thread-77",
    });
    const before = (await query(app, moderator, "items.get", { itemId: onCommunity.id })).data as Detail;
    expect(before.thread.map((item) => item.id)).toEqual([onCommunity.id, followUp.id]);
    expect(before.history).toEqual([]);
    expect(before.toldElsewhere).toEqual([]);

    const danaOnFacebook = onFacebook.customerId;
    const danaInCommunity = onCommunity.customerId;
    if (!danaOnFacebook || !danaInCommunity) throw new Error("ingest made no customers");
    const linked = await mutate(app, moderator, "items.linkCustomer", {
      itemId: onCommunity.id,
      customerId: danaOnFacebook,
    });
    const detail = linked.data as Detail;
    expect(detail.customer).toMatchObject({
      id: danaOnFacebook,
      identities: [
        { platform: "facebook", handle: "fb-dana" },
        { platform: "generic", handle: "dana-in-community" },
      ],
    });
    expect(detail.history).toEqual([
      expect.objectContaining({
        item: expect.objectContaining({ id: onFacebook.id }),
        replies: [expect.objectContaining({ body: told, status: "sent" })],
      }),
    ]);
    expect(detail.history.map((entry) => entry.item.id)).not.toContain(old.id);
    expect(detail.toldElsewhere).toEqual([
      { channelId: facebook.id, platform: "facebook", text: told, sentAt: expect.any(Date) },
    ]);
    // items.get reads the same; the other item of the thread moved over too.
    const again = (await query(app, moderator, "items.get", { itemId: followUp.id })).data as Detail;
    expect(again.customer?.id).toBe(danaOnFacebook);
    expect(again.toldElsewhere.map((entry) => entry.text)).toEqual([told]);
    expect((await itemRow(db, onCommunity.id)).customerId).toBe(danaOnFacebook);

    const orphans = await db.owner.select().from(schema.customers).where(eq(schema.customers.id, danaInCommunity));
    expect(orphans).toEqual([]);
    const [merged] = (await auditOf(db, danaOnFacebook)).filter((e) => e.action === "customer.merged");
    expect(merged).toMatchObject({
      actorUserId: a.users.moderator.id,
      before: { customer: { id: danaInCommunity } },
      after: { customer: { id: danaOnFacebook } },
      protocolVersionId: onCommunity.protocolVersionId,
    });
  });

  it("refuses a customer of another client with NOT_FOUND naming the field, changing nothing", async () => {
    const mine = await ingestItem(db, genericChannelOf(a, a.client.id), { body: "hello", author: "kim" });
    const theirs = await ingestItem(db, genericChannelOf(a, a.otherClient.id), { body: "hi", author: "lee" });
    const outcome = await mutate(app, moderator, "items.linkCustomer", {
      itemId: mine.id,
      customerId: theirs.customerId,
    });
    expect(outcome).toMatchObject({
      status: 404,
      error: { code: "NOT_FOUND", details: { fields: { customerId: expect.any(String) } } },
    });
    expect((await itemRow(db, mine.id)).customerId).toBe(mine.customerId);
  });
});
