import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { type Scope, tenantOf } from "../kernel/scope";
import { createClaimBatcher } from "./claim-next-item";

let db: TestDatabase;
let a: TestAgency;
let moderator: Scope;
const queued = 40_000;
const handled = 40_000;

/** Bulk rows straight in SQL: queued items of both clients at random priorities, and many already handled. */
async function seedItems(count: number, status: "queued" | "responded", prefix: string) {
  await db.owner.execute(sql`
    insert into items (id, agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
      body, created_at, received_at, status, priority)
    select gen_random_uuid(), ${a.agency.id}, ch.client_id, ch.id, ${prefix} || n, 'comment', 'author-' || (n % 500),
      'someone', 'body ' || n, now() - interval '2 days', now() - interval '1 day' + (n || ' seconds')::interval,
      ${status}::item_status, ('{P1,P2,P3,P4}'::priority[])[1 + (n % 4)]
    from generate_series(1, ${count}) n
    join lateral (select id, client_id from channels where agency_id = ${a.agency.id}
      order by id offset (n % 2) limit 1) ch on true`);
}

/** A claim through an API process of its own (a batcher alone), its clock at `now`. */
const claim = (scope: Scope, input: { clientId?: string; leaseSeconds?: number } = {}, now?: Date) =>
  createClaimBatcher(db.app, now ? { now: () => now } : {}).claim(scope, input);

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  await seedItems(queued, "queued", "q-");
  await seedItems(handled, "responded", "r-");
  await db.owner.execute(sql`analyze items`);
  const scope = await resolveScope(db.app, { userId: a.users.moderator.id, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  moderator = scope;
}, 120_000);
afterAll(() => db.close());

describe("claim next", () => {
  it("hands out the most urgent, oldest queued item of the moderator's clients", async () => {
    const [expected] = await db.owner.execute<{ id: string }>(sql`
      select id from items where agency_id = ${a.agency.id} and status = 'queued'
      order by priority, received_at limit 1`);
    const item = await claim(moderator);
    expect(item?.id).toBe(expected?.id);
    expect(item).toMatchObject({ status: "claimed", priority: "P1", claimExpiresAt: expect.any(Date) });
    const [row] = await db.owner
      .select()
      .from(schema.items)
      .where(eq(schema.items.id, item?.id ?? ""));
    expect(row?.claimedBy).toBe(a.users.moderator.id);
  });

  it("gives concurrent moderators different items", async () => {
    const claimed = await Promise.all(Array.from({ length: 16 }, () => claim(moderator)));
    const ids = claimed.map((item) => item?.id);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(16);
  });

  it("puts a claim whose lease ran out back in its place", async () => {
    const first = await claim(moderator, { clientId: a.client.id, leaseSeconds: 60 });
    const later = new Date(Date.now() + 5 * 60_000);
    const again = await claim(moderator, { clientId: a.client.id }, later);
    expect(again?.id).toBe(first?.id);
    const [audit] = await db.owner.execute<{ n: number }>(sql`
      select count(*)::int as n from audit_events where action = 'item.claim_expired' and subject_id = ${first?.id ?? ""}`);
    expect(audit?.n).toBe(1);
  });

  it("claims through the partial indexes, in milliseconds however long the queue", async () => {
    const plans = await withTenant(db.app, tenantOf(moderator), async (tx) => {
      const clients = sql`array[${a.client.id}::uuid, ${a.otherClient.id}::uuid]`;
      const explain = async (query: ReturnType<typeof sql>) =>
        (await tx.execute<{ "QUERY PLAN": string }>(sql`explain (analyze, costs off) ${query}`))
          .map((row) => row["QUERY PLAN"])
          .join("\n");
      return {
        queued: await explain(sql`
          select head.id from unnest(${clients}) as scoped(client_id)
          cross join lateral (select id, priority, received_at from items
            where agency_id = ${a.agency.id} and client_id = scoped.client_id and status = 'queued'
            order by priority, received_at limit 8 for update skip locked) as head`),
        expired: await explain(sql`
          select id from items where agency_id = ${a.agency.id} and client_id = any(${clients})
            and status = 'claimed' and claim_expires_at < now() for update skip locked`),
      };
    });
    expect(plans.queued).toMatch(/items_claim_queued_idx/);
    expect(plans.expired).toMatch(/items_claim_expired_idx/);
  });

  it("serves concurrent claims together: distinct items, each of its moderator's clients, in queue order", async () => {
    const oneClientUser = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "respond" }],
    });
    const oneClient = await resolveScope(db.app, { userId: oneClientUser.id, agencyId: a.agency.id });
    if (!oneClient) throw new Error("no scope");
    const queueBefore = await db.owner.execute<{ id: string; client_id: string }>(sql`
      select id, client_id from items where agency_id = ${a.agency.id} and status = 'queued'
      order by priority, received_at`);
    const startedAt = new Date();
    const batcher = createClaimBatcher(db.app);
    const claimed = await Promise.all(
      Array.from({ length: 24 }, (_, n) => batcher.claim(n % 2 === 0 ? moderator : oneClient, {})),
    );
    const ids = claimed.map((item) => item?.id);
    expect(new Set(ids).size).toBe(24);
    claimed.forEach((item, n) => {
      if (n % 2 === 1) expect(item?.clientId).toBe(a.client.id);
    });
    // Per client, the claimed items are the head of its queue: nothing more urgent was passed over.
    for (const clientId of [a.client.id, a.otherClient.id]) {
      const queue = queueBefore.filter((row) => row.client_id === clientId).map((row) => row.id);
      const taken = ids.filter((id) => queue.includes(id ?? ""));
      expect(new Set(taken)).toEqual(new Set(queue.slice(0, taken.length)));
    }
    // Claims of one batch share a transaction, hence its timestamp: fewer timestamps than claims.
    const [audit] = await db.owner.execute<{ claims: number; transactions: number }>(sql`
      select count(*)::int as claims, count(distinct created_at)::int as transactions from audit_events
      where agency_id = ${a.agency.id} and action = 'item.claimed' and created_at >= ${startedAt.toISOString()}::timestamptz`);
    expect(audit?.claims).toBe(24);
    expect(audit?.transactions).toBeLessThan(24);
  });

  it("reads the queues again once its claims stop: an item that arrived since is the next one claimed", async () => {
    // A busy period: the batches read ahead and reuse the heads they read.
    const batcher = createClaimBatcher(db.app);
    await Promise.all(Array.from({ length: 24 }, () => batcher.claim(moderator, {})));
    const [arrived] = await db.owner.execute<{ id: string }>(sql`
      insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
        created_at, received_at, priority)
      select ${a.agency.id}, client_id, id, 'late-p1', 'comment', 'late', 'late', 'My account was stolen',
        now() - interval '30 days', now() - interval '30 days', 'P1'
      from channels where agency_id = ${a.agency.id} and client_id = ${a.client.id} limit 1
      returning id`);
    const next = await batcher.claim(moderator, { clientId: a.client.id });
    expect(next?.id).toBe(arrived?.id);
  });

  it("leaves an item to its triage while the triage's step is due, for 30 seconds at most", async () => {
    const now = new Date();
    const heads = await db.owner.execute<{ id: string; client_id: string }>(sql`
      select id, client_id from items where agency_id = ${a.agency.id} and client_id = ${a.client.id}
        and status = 'queued' order by priority, received_at limit 2`);
    const [triaged, later] = heads;
    if (!triaged || !later) throw new Error("no queued items");
    const wakeup = (item: { id: string; client_id: string }, dueAt: Date) =>
      db.owner
        .insert(schema.workflowWakeups)
        .values({ agencyId: a.agency.id, clientId: item.client_id, flow: "triage", subjectId: item.id, dueAt });
    // The first head's triage is due (it will acknowledge and escalate); the second's next step is an hour away.
    await wakeup(triaged, now);
    await wakeup(later, new Date(now.getTime() + 3_600_000));
    expect((await claim(moderator, { clientId: a.client.id }, now))?.id).toBe(later.id);
    // Triage has not acted 31 seconds on: a moderator gets the item.
    const stalled = new Date(now.getTime() + 31_000);
    expect((await claim(moderator, { clientId: a.client.id }, stalled))?.id).toBe(triaged.id);
  });

  it("holds nothing back while the triage is 30 seconds or more behind: it would reach the item too late", async () => {
    const now = new Date();
    const queue = await db.owner.execute<{ id: string; client_id: string }>(sql`
      select id, client_id from items where agency_id = ${a.agency.id} and client_id = ${a.client.id}
        and status = 'queued' order by priority, received_at limit 4`);
    const [head, , , behind] = queue;
    if (!head || !behind) throw new Error("no queued items");
    // The head's triage step fell due 10 s ago, but the triage still has a step of 40 s ago to take first.
    const wakeup = (item: { id: string; client_id: string }, secondsAgo: number) => ({
      agencyId: a.agency.id,
      clientId: item.client_id,
      flow: "triage" as const,
      subjectId: item.id,
      dueAt: new Date(now.getTime() - secondsAgo * 1000),
    });
    await db.owner.insert(schema.workflowWakeups).values([wakeup(head, 10), wakeup(behind, 40)]);
    expect((await claim(moderator, { clientId: a.client.id }, now))?.id).toBe(head.id);
  });

  it("never hands one item to two API processes claiming at once", async () => {
    const [first, second] = [createClaimBatcher(db.app), createClaimBatcher(db.app)];
    const claimed = await Promise.all(
      Array.from({ length: 40 }, (_, n) => (n % 2 === 0 ? first : second).claim(moderator, {})),
    );
    const ids = claimed.map((item) => item?.id);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(40);
  });

  it("refuses a claim by a role that does not moderate, before anything is claimed", async () => {
    const accountManager = await resolveScope(db.app, { userId: a.users.accountManager.id, agencyId: a.agency.id });
    if (!accountManager) throw new Error("no scope");
    await expect(createClaimBatcher(db.app).claim(accountManager, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
