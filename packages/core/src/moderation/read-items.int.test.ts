import { withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findItems, getItemDetail, type ItemListQuery, type ReadScope } from "./read-items";

let db: TestDatabase;
let a: TestAgency;
let b: TestAgency;

/** Items of both clients; arrival instants differ only in the microseconds, which a JS Date cannot hold. */
async function seedItems(agency: TestAgency, count: number) {
  await db.owner.execute(sql`
    insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
      created_at, received_at)
    select ${agency.agency.id}, ch.client_id, ch.id, 'x-' || ch.id || '-' || n, 'comment', 'a-' || n, 'someone', 'Body',
      now(), timestamptz '2026-11-20 10:00:00.000100+00' + ((n % 5) || ' microseconds')::interval
    from generate_series(1, ${count}) n cross join (select id, client_id from channels where agency_id = ${agency.agency.id}) ch`);
}

const read = <T>(reader: ReadScope, work: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(db.app, { ...reader, userId: null }, work);

async function readAll(reader: ReadScope, query: Omit<ItemListQuery, "cursor">) {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(reader, (tx) => findItems(reader, tx, { ...query, cursor }));
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  await seedItems(a, 20);
  await seedItems(b, 5);
});
afterAll(() => db.close());

describe("findItems", () => {
  it("keysets on the microsecond arrival time and id: every item once, in order", async () => {
    const expected = await db.owner.execute<{ id: string }>(sql`
      select id from items where agency_id = ${a.agency.id} order by received_at desc, id desc`);
    const reader = { agencyId: a.agency.id, clientIds: null };
    for (const limit of [1, 3, 7, 40]) {
      expect(await readAll(reader, { limit })).toEqual(expected.map((row) => row.id));
    }
  });

  it("sees only the reader's clients", async () => {
    const reader = { agencyId: a.agency.id, clientIds: [a.client.id] };
    const page = await read(reader, (tx) => findItems(reader, tx, { limit: 200 }));
    expect(page.items).toHaveLength(20);
    expect(page.items.every((item) => item.clientId === a.client.id)).toBe(true);
    await expect(
      read(reader, (tx) => findItems(reader, tx, { limit: 10, clientId: a.otherClient.id })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("getItemDetail", () => {
  it("is NOT_FOUND outside the reader's scope", async () => {
    const [item] = await db.owner.execute<{ id: string }>(sql`
      select id from items where client_id = ${a.otherClient.id} limit 1`);
    const itemId = item?.id ?? "";
    const agencyWide = { agencyId: a.agency.id, clientIds: null };
    await expect(read(agencyWide, (tx) => getItemDetail(agencyWide, tx, { itemId }))).resolves.toMatchObject({
      id: itemId,
      replies: { total: 0, byStatus: {}, lastSentAt: null },
    });
    for (const reader of [
      { agencyId: a.agency.id, clientIds: [a.client.id] },
      { agencyId: b.agency.id, clientIds: null },
    ]) {
      await expect(read(reader, (tx) => getItemDetail(reader, tx, { itemId }))).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    }
  });
});
