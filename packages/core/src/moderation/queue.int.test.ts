import type { LiveEvent } from "@parley/contracts";
import { withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { liveChannel } from "../kernel/publish-live-event";
import { type Scope, tenantOf } from "../kernel/scope";
import { createClaimBatcher, defaultClaimLeaseSeconds } from "./claim-next-item";
import { listQueueItems, queueListInput, releaseItem, renewClaim, skipItem } from "./queue";
import { createQueueCounter } from "./queue-counts";

let db: TestDatabase;
let a: TestAgency;
let moderator: Scope;
const queuedPerClient = 2_000;
const heard: LiveEvent[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  // Long queues on both clients and fifteen times as many handled items, so a plan that reads them shows.
  await db.owner.execute(sql`
    insert into items (id, agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
      body, created_at, received_at, status, priority)
    select gen_random_uuid(), ${a.agency.id}, ch.client_id, ch.id, 'q-' || n || '-' || ch.id, 'comment', 'author', 'someone',
      'body ' || n, now() - interval '2 days', now() - interval '1 day' + (n || ' seconds')::interval,
      (case when n % 16 = 0 then 'queued' else 'responded' end)::item_status,
      ('{P1,P2,P3,P4}'::priority[])[1 + (n / 16) % 4]
    from generate_series(1, ${queuedPerClient * 16}) n
    cross join (select id, client_id from channels where agency_id = ${a.agency.id}) ch`);
  await db.owner.execute(sql`vacuum analyze items`);
  const scope = await resolveScope(db.app, { userId: a.users.moderator.id, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  moderator = scope;
  await db.app.$client.listen(liveChannel, (payload) => heard.push(JSON.parse(payload) as LiveEvent));
}, 120_000);
afterAll(() => db.close());

const inTenant = <T>(work: Parameters<typeof withTenant<T>>[2]) => withTenant(db.app, tenantOf(moderator), work);

async function planOf(query: ReturnType<typeof sql>): Promise<string> {
  const rows = await inTenant((tx) => tx.execute<{ "QUERY PLAN": string }>(sql`explain (costs off) ${query}`));
  return rows.map((row) => row["QUERY PLAN"]).join("\n");
}

async function nextEvent(match: (event: LiveEvent) => boolean): Promise<LiveEvent | undefined> {
  for (let waited = 0; waited < 3_000; waited += 20) {
    const found = heard.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

describe("queue reads over long queues", () => {
  it("pages the queue in claim order through the claim index", async () => {
    const first = await inTenant((tx) => listQueueItems(moderator, tx, queueListInput.parse({})));
    expect(first.items).toHaveLength(50);
    let cursor = first.nextCursor ?? undefined;
    for (let page = 0; page < 20; page += 1) {
      const next = await inTenant((tx) => listQueueItems(moderator, tx, queueListInput.parse({ cursor, limit: 100 })));
      cursor = next.nextCursor ?? undefined;
    }
    const deep = await inTenant((tx) => listQueueItems(moderator, tx, queueListInput.parse({ cursor })));
    expect(deep.items).toHaveLength(50);
    // The per-client read inside listQueueItems: index order, so the page stops after `limit` entries.
    const plan = await planOf(sql`
      select id from items where agency_id = ${a.agency.id} and client_id = ${a.client.id} and status = 'queued'
        and (priority, received_at, id) > ('P1'::priority, now(), gen_random_uuid())
      order by priority, received_at, id limit 51`);
    expect(plan).toMatch(/items_claim_queued_idx/);
  });
});

describe("queue counts, one read per agency for every console", () => {
  it("counts every client's queue from its tallies, and finds the latest P1 through its partial index", async () => {
    const counts = await createQueueCounter(db.app).count(moderator);
    expect(counts.map((row) => row.queued)).toEqual([queuedPerClient, queuedPerClient]);
    expect(counts.every((row) => row.queued === Object.values(row.byPriority).reduce((x, y) => x + y))).toBe(true);
    expect(counts[0]?.byPriority).toEqual({ P1: 500, P2: 500, P3: 500, P4: 500 });
    // 64,000 items, of which 4,000 queued: after the read's fold, one tally row per client and priority.
    const [tallies] = await db.owner.execute<{ n: number }>(
      sql`select count(*)::int as n from queue_tallies where agency_id = ${a.agency.id}`,
    );
    expect(tallies?.n).toBe(8);
    const plan = await planOf(sql`
      select max(started_at) from sla_clocks where agency_id = ${a.agency.id} and client_id = ${a.client.id}
        and metric = 'first_response' and priority = 'P1' and started_at > now() - interval '1 day'`);
    expect(plan).toMatch(/sla_clocks_p1_started_idx/);
  });

  it("answers concurrent counts from one read, and each from a read begun after it was asked", async () => {
    let reads = 0;
    const counter = createQueueCounter(db.app, {
      now: () => {
        reads += 1;
        return new Date();
      },
    });
    const together = await Promise.all(Array.from({ length: 20 }, () => counter.count(moderator)));
    // The first read starts at once; the others asked while it ran share the next one.
    expect(reads).toBeLessThanOrEqual(2);
    expect(new Set(together.map((counts) => JSON.stringify(counts))).size).toBe(1);

    const before = together[0]?.find((row) => row.clientId === a.otherClient.id)?.queued ?? 0;
    const running = counter.count(moderator);
    await db.owner.execute(sql`
      insert into items (id, agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
        body, created_at, received_at, status, priority)
      select gen_random_uuid(), ${a.agency.id}, client_id, id, 'counted-late', 'comment', 'author', 'someone', 'late', now(), now(),
        'queued', 'P2'
      from channels where client_id = ${a.otherClient.id} limit 1`);
    const asked = await counter.count(moderator);
    expect(asked.find((row) => row.clientId === a.otherClient.id)?.queued).toBe(before + 1);
    await running;
    await db.owner.execute(sql`delete from items where external_id = 'counted-late'`);
  });

  it("gives each caller only their clients, with the claims they hold", async () => {
    const admin = await resolveScope(db.app, { userId: a.users.admin.id, agencyId: a.agency.id });
    const stakeholder = await resolveScope(db.app, { userId: a.users.stakeholder.id, agencyId: a.agency.id });
    if (!admin || !stakeholder) throw new Error("no scope");
    const claims = createClaimBatcher(db.app);
    const held = [
      await claims.claim(moderator, { clientId: a.client.id }),
      await claims.claim(moderator, { clientId: a.client.id }),
      await claims.claim(admin, { clientId: a.client.id }),
    ];
    const counter = createQueueCounter(db.app);
    const [forModerator, forAdmin, forOneClient] = await Promise.all([
      counter.count(moderator),
      counter.count(admin),
      counter.count({ ...moderator, clientIds: [a.otherClient.id] }),
    ]);
    const ofClient = (counts: typeof forModerator) => counts.find((row) => row.clientId === a.client.id);
    expect(ofClient(forModerator)).toMatchObject({ queued: queuedPerClient - 3, claimed: 3, mine: 2 });
    expect(ofClient(forAdmin)).toMatchObject({ queued: queuedPerClient - 3, claimed: 3, mine: 1 });
    expect(forOneClient.map((row) => row.clientId)).toEqual([a.otherClient.id]);
    await expect(counter.count(stakeholder)).rejects.toMatchObject({ code: "FORBIDDEN" });

    for (const [n, item] of held.entries()) {
      await withTenant(db.app, tenantOf(n < 2 ? moderator : admin), (tx) =>
        releaseItem(n < 2 ? moderator : admin, tx, { itemId: item?.id ?? "" }),
      );
    }
  });

  it("keeps the tallies equal to the queue through arrivals, claims, releases, actions, moves and deletes", async () => {
    const truth = async () => {
      const rows = await db.owner.execute<{ client_id: string; queued: number; claimed: number; p1: number }>(sql`
        select client_id, (count(*) filter (where status = 'queued'))::int as queued,
          (count(*) filter (where status = 'claimed'))::int as claimed,
          (count(*) filter (where status = 'queued' and priority = 'P1'))::int as p1
        from items where agency_id = ${a.agency.id} group by client_id order by client_id`);
      return rows.map((row) => ({ ...row }));
    };
    const shown = async () => {
      const counts = await createQueueCounter(db.app).count(moderator);
      return counts
        .map((row) => ({ client_id: row.clientId, queued: row.queued, claimed: row.claimed, p1: row.byPriority.P1 }))
        .sort((x, y) => (x.client_id < y.client_id ? -1 : 1));
    };
    /** Changes one item of the agency in `status`. */
    const changeOne = (status: string, change: SQL) =>
      db.owner.execute(sql`
        update items set ${change} where id = (
          select id from items where agency_id = ${a.agency.id} and status = ${status}::item_status limit 1)`);
    const claims = createClaimBatcher(db.app);
    const changes: Array<[string, () => Promise<unknown>]> = [
      ["claims, several at once", () => Promise.all(Array.from({ length: 6 }, () => claims.claim(moderator, {})))],
      ["an answer to a claimed item", () => changeOne("claimed", sql`status = 'responded'`)],
      ["a claim handed to another holder", () => changeOne("claimed", sql`claimed_by = ${a.users.admin.id}`)],
      [
        "queued items escalated and reprioritised",
        () =>
          db.owner.execute(sql`
          update items set status = (case when random() < 0.5 then 'escalated' else status end)::item_status,
            priority = 'P1'
          where id in (select id from items where agency_id = ${a.agency.id} and status = 'queued' limit 40)`),
      ],
      [
        "an item moved to the other client",
        () =>
          db.owner.execute(sql`
          update items set client_id = ${a.otherClient.id},
            channel_id = (select id from channels where client_id = ${a.otherClient.id} limit 1)
          where id = (select id from items where agency_id = ${a.agency.id} and client_id = ${a.client.id}
            and status = 'queued' limit 1)`),
      ],
      ["a handled item back in the queue", () => changeOne("responded", sql`status = 'queued'`)],
      [
        "queued and claimed items deleted",
        () =>
          db.owner.execute(sql`
          delete from items where id in (select id from items where agency_id = ${a.agency.id}
            and status in ('queued', 'claimed') order by received_at desc limit 3)`),
      ],
      [
        "claims released",
        () =>
          db.owner.execute(sql`
            update items set status = 'queued', claimed_by = null, claim_expires_at = null
            where agency_id = ${a.agency.id} and status = 'claimed'`),
      ],
    ];
    for (const [change, run] of changes) {
      await run();
      expect(await shown(), change).toEqual(await truth());
    }
  });

  it("sums the same when two processes fold at once while items arrive", async () => {
    const arrive = (n: number) =>
      db.owner.execute(sql`
        insert into items (id, agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
          body, created_at, received_at, status, priority)
        select gen_random_uuid(), ${a.agency.id}, client_id, id, 'folded-' || ${n} || '-' || g, 'comment', 'author',
          'someone', 'body', now(), now(), 'queued', 'P3'
        from channels cross join generate_series(1, 5) g where agency_id = ${a.agency.id}`);
    const processes = [createQueueCounter(db.app), createQueueCounter(db.app)];
    const before = (await processes[0]?.count(moderator))?.reduce((sum, row) => sum + row.queued, 0) ?? 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        Promise.all([arrive(n), ...processes.map((counter) => counter.count(moderator))]),
      ),
    );
    const after = await Promise.all(processes.map((counter) => counter.count(moderator)));
    for (const counts of after) {
      expect(counts.reduce((sum, row) => sum + row.queued, 0)).toBe(before + 10 * 5 * 2);
    }
    await db.owner.execute(sql`delete from items where external_id like 'folded-%'`);
  });
});

describe("claims under a fake clock, with live events", () => {
  const now = new Date("2026-11-23T10:00:00Z");
  const clock = { now: () => now };

  it("claims, renews, skips and releases with leases measured from now, announcing each change", async () => {
    const claimed = await createClaimBatcher(db.app, clock).claim(moderator, { clientId: a.client.id });
    if (!claimed) throw new Error("nothing claimed");
    expect(claimed.claimExpiresAt).toEqual(new Date(now.getTime() + defaultClaimLeaseSeconds * 1000));
    const claimEvent = await nextEvent((e) => e.subjectId === claimed.id && e.type === "queue.changed");
    expect(claimEvent).toEqual({
      type: "queue.changed",
      agencyId: a.agency.id,
      clientId: a.client.id,
      subjectId: claimed.id,
    });

    const later = { now: () => new Date(now.getTime() + 4 * 60_000) };
    const renewed = await inTenant((tx) => renewClaim(moderator, tx, { itemId: claimed.id }, later));
    expect(renewed.claimExpiresAt).toEqual(new Date(later.now().getTime() + defaultClaimLeaseSeconds * 1000));
    expect(await nextEvent((e) => e.subjectId === claimed.id && e.type === "item.changed")).toBeDefined();

    const skipped = await inTenant((tx) => skipItem(moderator, tx, { itemId: claimed.id }, later));
    expect(skipped.skipUntil).toEqual(renewed.claimExpiresAt);
    const again = await createClaimBatcher(db.app, later).claim(moderator, {
      clientId: a.client.id,
      skip: [claimed.id],
    });
    expect(again?.id).not.toBe(claimed.id);
    expect(again?.priority).toBe("P1");

    heard.length = 0;
    await inTenant((tx) => releaseItem(moderator, tx, { itemId: again?.id ?? "" }, later));
    expect(await nextEvent((e) => e.subjectId === again?.id)).toMatchObject({ type: "queue.changed" });
  });
});
