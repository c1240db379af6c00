import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { maskPersonalData } from "@parley/core/protocols";
import { schema } from "@parley/db";
import { type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  genericChannelOf,
  type ModerationSuite,
  moderationProtocol,
  mutate,
  openModerationSuite,
  query,
  saveProtocol,
} from "../moderation/moderation-support";
import type { TestApp } from "../support/http";
import { postItems, wireItem } from "./fixtures";

let suite: ModerationSuite;
let db: TestDatabase;
let app: TestApp;
let a: TestAgency;

const card = "4111111111111111";
const otherCard = "5555555555554444";
const iban = "GB82WEST12345698765432";

beforeAll(async () => {
  suite = await openModerationSuite({ clients: "both" });
  ({ db, app, agency: a } = suite);
});
afterAll(() => suite.close());

function channelOf(clientId: string) {
  const channel = genericChannelOf(a, clientId);
  return { channel, secret: testSecretBox.decrypt(channel.ingestSecretEnc) };
}

async function itemOf(channelId: string, externalId: string) {
  const [row] = await db.owner
    .select()
    .from(schema.items)
    .where(and(eq(schema.items.channelId, channelId), eq(schema.items.externalId, externalId)));
  if (!row) throw new Error(`no item ${externalId}`);
  return row;
}

/**
 * Every text, varchar, jsonb and text[] column of every table in the database, searched for the digits with any
 * separators taken out: where a full number would be, whatever its spacing.
 */
async function columnsHolding(digits: string): Promise<string[]> {
  const columns = await db.owner.execute<{ table_name: string; column_name: string }>(sql`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and (c.data_type in ('text', 'character varying', 'jsonb', 'json') or c.udt_name in ('_text', '_varchar'))`);
  expect(columns.length).toBeGreaterThan(50);
  const holding: string[] = [];
  for (const { table_name, column_name } of columns) {
    const [found] = await db.owner.execute<{ n: number }>(
      sql`select count(*)::int as n from ${sql.identifier(table_name)}
          where regexp_replace(${sql.identifier(column_name)}::text, '[^0-9A-Za-z]', '', 'g') like ${`%${digits}%`}`,
    );
    if ((found?.n ?? 0) > 0) holding.push(`${table_name}.${column_name}`);
  }
  return holding;
}

describe("card numbers and IBANs at ingest", () => {
  it("masks them before anything is stored: item, edit in the audit trail, customer; flags the item", async () => {
    const { channel, secret } = channelOf(a.client.id);
    const first = wireItem({
      body: `My card 4111 1111 1111 1111 was charged twice, refund to ${iban.match(/.{1,4}/g)?.join(" ")} please`,
      title: `Card ${card}`,
      author: { externalId: "card-author", handle: "cardholder", displayName: `Pay ${otherCard}` },
    });
    const posted = await postItems(app, { channelId: channel.id, secret, body: { items: [first] } });
    expect(posted.status).toBe(200);
    const row = await itemOf(channel.id, first.externalId as string);
    expect(row.body).toBe("My card •••• •••• •••• 1111 was charged twice, refund to GB•• •••• •••• 5432 please");
    expect(row.title).toBe("Card •••• •••• •••• 1111");
    expect(row.authorDisplayName).toBe("Pay •••• •••• •••• 4444");
    expect(row.piiFlags).toEqual(["pii:card", "pii:iban"]);
    // Still classified from the masked text: "refund" put it in its category.
    expect(row.categoryKey).toBe("refund");

    // The author edits the comment: the new text is masked, and the audit trail's before/after hold masked text.
    const edit = { ...first, body: `Sorry, the right one is ${otherCard.replace(/(\d{4})/g, "$1-").slice(0, -1)}` };
    expect((await postItems(app, { channelId: channel.id, secret, body: { items: [edit] } })).status).toBe(200);
    const edited = await itemOf(channel.id, first.externalId as string);
    expect(edited.body).toBe("Sorry, the right one is •••• •••• •••• 4444");
    expect(edited.piiFlags).toEqual(["pii:card"]);
    const [audit] = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.subjectId, row.id), eq(schema.auditEvents.action, "item.edited")));
    expect(audit?.after).toMatchObject({ body: "Sorry, the right one is •••• •••• •••• 4444" });

    // The console reads what is stored.
    const detail = await query(app, suite.moderator, "items.get", { itemId: row.id });
    expect(detail.status).toBe(200);
    expect(JSON.stringify(detail.data)).toContain("•••• •••• •••• 4444");
    expect(detail.data).toMatchObject({ item: { piiFlags: ["pii:card"] } });

    // The search finds what is there (the text around the numbers, in the item and its audit trail)…
    expect(await columnsHolding("waschargedtwice")).toEqual(["audit_events.before"]);
    expect(await columnsHolding("therightoneis")).toEqual(expect.arrayContaining(["items.body", "audit_events.after"]));
    // …and no column of any table holds a full number.
    for (const digits of [card, otherCard, iban]) expect(await columnsHolding(digits)).toEqual([]);
  });

  it("masks e-mail addresses and phone numbers only for a client whose protocol asks", async () => {
    await saveProtocol(db, a, a.otherClient.id, { ...moderationProtocol, maskPersonalData: ["email", "phone"] });
    const text = "Write to jo.bloggs@example.com or call +44 20 7946 0958";
    const masking = channelOf(a.otherClient.id);
    const plain = channelOf(a.client.id);
    const maskedItem = wireItem({ body: text });
    const plainItem = wireItem({ body: text });
    await postItems(app, { channelId: masking.channel.id, secret: masking.secret, body: { items: [maskedItem] } });
    await postItems(app, { channelId: plain.channel.id, secret: plain.secret, body: { items: [plainItem] } });
    const masked = await itemOf(masking.channel.id, maskedItem.externalId as string);
    expect(masked.body).toBe("Write to •••@example.com or call +•• •• •••• ••58");
    expect(masked.piiFlags).toEqual(["pii:email", "pii:phone"]);
    const kept = await itemOf(plain.channel.id, plainItem.externalId as string);
    expect(kept.body).toBe(text);
    expect(kept.piiFlags).toEqual([]);
  });
});

describe("outbound replies with a card number", () => {
  it("are refused with a 400 naming the text, and nothing is stored or queued", async () => {
    const { channel, secret } = channelOf(a.client.id);
    const item = wireItem({ body: "How do I pay for season two?" });
    await postItems(app, { channelId: channel.id, secret, body: { items: [item] } });
    const row = await itemOf(channel.id, item.externalId as string);
    const sent = await mutate(app, suite.moderator, "replies.send", {
      itemId: row.id,
      text: "Just pay with 4111-1111-1111-1111 and you are set",
    });
    expect(sent.status).toBe(400);
    expect(JSON.stringify(sent.error)).toContain("card number");
    expect(sent.error).toMatchObject({
      code: "BAD_INPUT",
      details: { fields: { text: expect.stringContaining("card number") } },
    });
    const replies = await db.owner.select().from(schema.replies).where(eq(schema.replies.itemId, row.id));
    expect(replies).toEqual([]);
  });
});

/** The custom migration that masks rows stored before ingest masked them; found by name, whatever its number. */
async function runMaskingMigration() {
  const folder = fileURLToPath(new URL("../../drizzle/", import.meta.url));
  const file = readdirSync(folder).find((name) => name.endsWith("_mask_payment_data.sql"));
  if (!file) throw new Error("no masking migration");
  const statements = readFileSync(join(folder, file), "utf8").split("--> statement-breakpoint");
  await db.owner.transaction(async (tx) => {
    for (const statement of statements) await tx.execute(sql.raw(statement));
  });
}

const maskingCases = [
  "My card 4111 1111 1111 1111 was charged",
  "4111-1111-1111-1111 exp 12/27 and 5555 5555 5555 4444",
  "amex 3782 822463 10005, order 123456789012, not Luhn 4111 1111 1111 1112",
  "4111 1111 1111 1111 12/27",
  "card:4111111111111111.",
  "IBAN GB82 WEST 1234 5698 7654 32 thanks",
  "iban: de89370400440532013000 or FR14 2004 1010 0505 0001 3M02 606",
  "both GB82WEST12345698765432 / 4111111111111111, bad GB82 WEST 1234 5698 7654 33",
  "XGB82WEST12345698765432 is inside a word",
  "already masked •••• •••• •••• 1111 and GB•• •••• •••• 5432",
  "split 4111\u200b1111\u200b1111\u200b1111 and 5555\u202e5555\u00ad5555 5555 4444",
  "no numbers at all",
];

describe("the migration masking rows stored before", () => {
  it("masks in SQL exactly as ingest masks in TypeScript", async () => {
    for (const text of maskingCases) {
      const [row] = await db.owner.execute<{ masked: string }>(sql`select mask_payment_data(${text}::text) as masked`);
      expect({ text, masked: row?.masked }).toEqual({ text, masked: maskPersonalData(text).text });
    }
  });

  it("leaves no full number in items, their audit trail, customers or replies, and flags the items", async () => {
    const { channel } = channelOf(a.client.id);
    const [item] = await db.owner
      .insert(schema.items)
      .values({
        agencyId: a.agency.id,
        clientId: a.client.id,
        channelId: channel.id,
        externalId: "stored-before-masking",
        kind: "comment",
        authorExternalId: "old-author",
        authorHandle: "old-author",
        authorDisplayName: "Old 4111 1111 1111 1111",
        title: "Refund to GB82 WEST 1234 5698 7654 32",
        body: "Charged twice on 4111-1111-1111-1111, please refund",
        createdAt: new Date("2026-01-05T10:00:00Z"),
      })
      .returning();
    if (!item) throw new Error("no item");
    await db.owner.insert(schema.auditEvents).values({
      agencyId: a.agency.id,
      clientId: a.client.id,
      action: "item.edited",
      subjectType: "item",
      subjectId: item.id,
      before: { body: "was 5555 5555 5555 4444", nested: [{ note: "GB82WEST12345698765432" }], count: 3 },
      after: { body: item.body },
    });
    await db.owner.insert(schema.replies).values({
      agencyId: a.agency.id,
      clientId: a.client.id,
      itemId: item.id,
      channelId: channel.id,
      body: "We refunded 4111 1111 1111 1111",
      status: "sent",
    });
    expect(await columnsHolding(card)).not.toEqual([]);

    await runMaskingMigration();

    const [after] = await db.owner.select().from(schema.items).where(eq(schema.items.id, item.id));
    expect(after).toMatchObject({
      title: "Refund to GB•• •••• •••• 5432",
      body: "Charged twice on •••• •••• •••• 1111, please refund",
      authorDisplayName: "Old •••• •••• •••• 1111",
      piiFlags: ["pii:card", "pii:iban"],
    });
    const [audit] = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.subjectId, item.id), eq(schema.auditEvents.action, "item.edited")));
    expect(audit?.before).toEqual({
      body: "was •••• •••• •••• 4444",
      nested: [{ note: "GB•• •••• •••• 5432" }],
      count: 3,
    });
    for (const digits of [card, otherCard, iban]) expect(await columnsHolding(digits)).toEqual([]);
  });
});
