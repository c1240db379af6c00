import { withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { type Scope, tenantOf } from "../kernel/scope";
import { bulkModerateItems } from "./bulk-items";
import { createSharedClusters, listItemClusters } from "./item-clusters";

let db: TestDatabase;
let a: TestAgency;
let moderator: Scope;
let owner: Scope;

const incident = [
  "Servers down again!! can't login",
  "servers are down, cannot login",
  "@GameCo servers down again, can't login",
  "SERVERS DOWN AGAIN can't login 😡",
  "servers down again... can't login https://status.example",
];

async function insertItems(clientIndex: 0 | 1, texts: readonly string[], prefix: string): Promise<string[]> {
  const channel = a.channels[clientIndex]!;
  const rows = await db.owner.execute<{ id: string }>(sql`
    insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
      author_display_name, body, created_at, received_at, status)
    select ${a.agency.id}, ${channel.clientId}, ${channel.id}, ${prefix} || '-' || n, 'comment', 'author-' || n,
      ${prefix} || '_fan' || n, 'Fan ' || n, body, now(), now() + (n || ' milliseconds')::interval, 'queued'
    from unnest(${sql.raw(`array[${texts.map((text) => `'${text.replaceAll("'", "''")}'`).join(",")}]::text[]`)})
      with ordinality as t(body, n)
    returning id`);
  return rows.map((row) => row.id);
}

const inTenant = <T>(scope: Scope, work: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(db.app, tenantOf(scope), work);

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  const scopeOf = async (userId: string) => {
    const scope = await resolveScope(db.app, { userId, agencyId: a.agency.id });
    if (!scope) throw new Error("no scope");
    return scope;
  };
  moderator = await scopeOf(a.users.moderator.id);
  owner = await scopeOf(a.users.owner.id);
}, 120_000);
afterAll(() => db.close());

describe("clusters of near-identical items", () => {
  it("groups near-duplicates of one client, leaves different complaints out and never mixes clients", async () => {
    const servers = await insertItems(0, [...incident, ...incident], "c1");
    await insertItems(
      0,
      ["Where is my refund?", "Love the new trailer", "Refund please, order 1234 never came"],
      "c1x",
    );
    const otherServers = await insertItems(1, incident.slice(0, 3), "c2");
    const view = await inTenant(moderator, (tx) => listItemClusters(moderator, tx));
    expect(view.clusters.map((cluster) => [cluster.clientId, cluster.count])).toEqual([
      [a.client.id, 10],
      [a.otherClient.id, 3],
    ]);
    const [mine, theirs] = view.clusters;
    expect(new Set(mine?.itemIds)).toEqual(new Set(servers));
    expect(new Set(theirs?.itemIds)).toEqual(new Set(otherServers));
    expect(mine?.examples.map((example) => example.body)).toEqual(incident.slice(0, 3));
    const one = await inTenant(moderator, (tx) => listItemClusters(moderator, tx, { clientId: a.otherClient.id }));
    expect(one.clusters.map((cluster) => cluster.count)).toEqual([3]);
  });

  it("replies to a cluster with a holding statement that differs per customer, once per item", async () => {
    const itemIds = await insertItems(0, incident, "r1");
    const statement = "Hi {name}, we hear you about {their_words} on {platform}: the team is on it, {handle}.";
    // Two moderators act on the same cluster at once: the rows are locked, the second finds them answered.
    const [first, second] = await Promise.all([
      inTenant(moderator, (tx) => bulkModerateItems(moderator, tx, { itemIds, action: "reply", statement })),
      inTenant(owner, (tx) => bulkModerateItems(owner, tx, { itemIds, action: "reply", statement })),
    ]);
    expect((first?.updated ?? 0) + (second?.updated ?? 0)).toBe(incident.length);
    expect([...(first?.blocked ?? []), ...(second?.blocked ?? [])]).toEqual([]);
    const replies = await db.owner.execute<{ item_id: string; body: string; status: string; deliveries: number }>(sql`
      select r.item_id, r.body, r.status,
        (select count(*)::int from outbound_deliveries d where d.reply_id = r.id) as deliveries
      from replies r where r.item_id = any(${sql.raw(`array[${itemIds.map((id) => `'${id}'`).join(",")}]::uuid[]`)})`);
    expect(replies).toHaveLength(incident.length);
    expect(new Set(replies.map((reply) => reply.body)).size).toBe(incident.length);
    expect(replies.every((reply) => reply.status === "approved" && reply.deliveries === 1)).toBe(true);
    expect(replies.find((reply) => reply.item_id === itemIds[0])?.body).toBe(
      `Hi Fan 1, we hear you about "${incident[0]}" on this channel: the team is on it, @r1_fan1.`,
    );
    const statuses = await db.owner.execute<{ status: string; audits: number }>(sql`
      select i.status, (select count(*)::int from audit_events e where e.subject_type = 'reply'
        and e.after->>'itemId' = i.id::text) as audits
      from items i where i.id = any(${sql.raw(`array[${itemIds.map((id) => `'${id}'`).join(",")}]::uuid[]`)})`);
    expect(statuses.every((row) => row.status === "responded" && row.audits === 1)).toBe(true);
  });

  it("checks each reply of a run against those stored before it in the run: a customer who wrote twice gets one", async () => {
    const itemIds = await insertItems(0, ["servers down, can't login", "still down and still can't login"], "w1");
    await db.owner.execute(sql`update items set author_display_name = 'Dana'
      where id = any(${sql.raw(`array[${itemIds.map((id) => `'${id}'`).join(",")}]::uuid[]`)})`);
    const view = await inTenant(moderator, (tx) =>
      bulkModerateItems(moderator, tx, {
        itemIds,
        action: "reply",
        statement: "Hi {name}, the servers are back soon.",
      }),
    );
    expect(view.updated).toBe(1);
    expect(view.blocked).toEqual([{ itemId: itemIds[1], message: expect.stringContaining("The same reply was") }]);
  });

  it("tags a cluster, and refuses a statement with an unknown variable naming the field", async () => {
    const itemIds = await insertItems(1, incident, "t1");
    const tagged = await inTenant(moderator, (tx) =>
      bulkModerateItems(moderator, tx, { itemIds, action: "tag", tags: ["outage"] }),
    );
    expect(tagged.updated).toBe(incident.length);
    const again = await inTenant(moderator, (tx) =>
      bulkModerateItems(moderator, tx, { itemIds, action: "tag", tags: ["outage"] }),
    );
    expect(again.updated).toBe(0);
    await expect(
      inTenant(moderator, (tx) =>
        bulkModerateItems(moderator, tx, { itemIds, action: "reply", statement: "Hi {nom}, on it" }),
      ),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { statement: expect.any(String) } } });
  });

  it("shares a client's clusters between consoles for ten seconds, and works them out again when asked fresh", async () => {
    let clock = 0;
    const shared = createSharedClusters({ now: () => clock });
    const read = (scope: Scope, fresh = false) =>
      inTenant(scope, (tx) => listItemClusters(scope, tx, { clientId: a.client.id, fresh }, shared));
    const countOf = (view: Awaited<ReturnType<typeof read>>, itemId: string) =>
      view.clusters.find((cluster) => cluster.itemIds.includes(itemId))?.count ?? 0;
    const [first] = await insertItems(0, ["Servers down again!! can't login"], "s1");
    const consoles = await Promise.all([read(moderator), read(owner), read(moderator)]);
    const before = countOf(consoles[0]!, first!);
    expect(before).toBeGreaterThan(1);
    // Every console got the same reading (one was worked out; the others shared it).
    expect(consoles.map((view) => JSON.stringify(view))).toEqual(Array(3).fill(JSON.stringify(consoles[0])));

    await insertItems(0, ["servers are down, cannot login"], "s2");
    clock += 9_000;
    expect(countOf(await read(owner), first!)).toBe(before);
    // The console that acted asks fresh and sees the change; the others then share that reading.
    expect(countOf(await read(moderator, true), first!)).toBe(before + 1);
    expect(countOf(await read(owner), first!)).toBe(before + 1);
    await insertItems(0, ["SERVERS DOWN AGAIN can't login"], "s3");
    clock += 10_000;
    expect(countOf(await read(owner), first!)).toBe(before + 2);
  });
});
