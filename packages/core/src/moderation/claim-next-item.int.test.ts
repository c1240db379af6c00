import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { type Scope, tenantOf } from "../agencies/scope";
import { claimNextItem } from "./claim-next-item";

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

const claim = (scope: Scope, input: { clientId?: string; leaseSeconds?: number } = {}, now?: Date) =>
  withTenant(db.app, tenantOf(scope), (tx) => claimNextItem(scope, tx, input, now ? { now: () => now } : {}));

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

describe("claimNextItem", () => {
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
          select next.id from unnest(${clients}) as scoped(client_id)
          cross join lateral (select id, priority, received_at from items
            where agency_id = ${a.agency.id} and client_id = scoped.client_id and status = 'queued'
            order by priority, received_at limit 1 for update skip locked) as next
          order by next.priority, next.received_at limit 1`),
        expired: await explain(sql`
          select id from items where agency_id = ${a.agency.id} and client_id = any(${clients})
            and status = 'claimed' and claim_expires_at < now() for update skip locked`),
      };
    });
    expect(plans.queued).toMatch(/items_claim_queued_idx/);
    expect(plans.expired).toMatch(/items_claim_expired_idx/);
  });
});
