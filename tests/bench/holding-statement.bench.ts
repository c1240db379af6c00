// The crisis tool's "Act on all": one holding statement to every waiting item of an incident, written per customer
// (`bulkModerateItems`, action reply), under row-level security, where the client has 500 earlier replies for the
// checks to compare each one with. Against the floor measured in the same run on other items of the same incident:
// the rows any design must write for it (per item: the reply, its delivery, the item's new status, an audit entry)
// in one set-based statement. Items/s, the ratio of the two, and PostgreSQL's share.
// Run: node --import tsx tests/bench/holding-statement.bench.ts
import { tenantOf } from "@parley/core/kernel";
import { bulkModerateItems } from "@parley/core/moderation";
import { closeDatabase, createDatabase, uuidArray, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";
import { addBenchModerator, describeMachine, seedBenchAgency, startBenchDatabase } from "./bench-database";

/** Items per round; each round answers new items (an answered item is not waiting any more). */
const ITEMS = 500;
const ROUNDS = 2;
const WARM_UP = 50;
/** The client's earlier replies, which the authenticity and duplicate checks read. */
const EARLIER_REPLIES = 500;
/** Answering an incident of 1,000 customers within 10 s: items/s. */
const TARGET_PER_SECOND = 100;
const statement = "Hi {name}, thanks for telling us about {their_words}. The servers are back within the hour.";

const bench = await startBenchDatabase();
let missed = false;
try {
  const agency = await seedBenchAgency(bench, { clients: 1 });
  const client = agency.clients[0]!;
  const owner = createDatabase({ url: bench.ownerUrl, max: 2 });
  const appDb = createDatabase({ url: bench.appUrl, max: 2 });
  try {
    const incident = 2 * (WARM_UP + ROUNDS * ITEMS);
    await owner.execute(sql`
      insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
        created_at, received_at, status)
      select ${agency.agencyId}, ${client.id}, ${client.channelId}, 'incident-' || n, 'comment', 'fan-' || n,
        'fan_' || n, 'servers down again, cannot log in since the patch ' || n, now() - interval '1 hour',
        now() - interval '1 hour', 'queued'
      from generate_series(1, ${incident}) n`);
    await owner.execute(sql`
      with earlier as (
        insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
          body, created_at, received_at, status)
        select ${agency.agencyId}, ${client.id}, ${client.channelId}, 'earlier-' || n, 'comment', 'earlier-' || n,
          'earlier_' || n, 'Where is my order ' || n, now() - interval '2 days', now() - interval '2 days', 'resolved'
        from generate_series(1, ${EARLIER_REPLIES}) n
        returning id, external_id)
      insert into replies (agency_id, client_id, item_id, channel_id, kind, body, status, sent_at, created_at,
        updated_at)
      select ${agency.agencyId}, ${client.id}, id, ${client.channelId}, 'reply',
        'Sorry about order ' || external_id || ', we have sent it again and it arrives in ' || (length(external_id) % 5 + 2) || ' days',
        'sent', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
      from earlier`);
    await owner.execute(sql`analyze`);
    const scope = await addBenchModerator(owner, appDb, {
      agencyId: agency.agencyId,
      assignments: [{ clientId: client.id, authority: "respond" }],
    });
    const userId = scope.actorId;
    const waiting = (
      await owner.execute<{ id: string }>(
        sql`select id from items where client_id = ${client.id} and status = 'queued' order by id`,
      )
    ).map((row) => row.id);
    const take = (count: number) => waiting.splice(0, count);

    const answerAll = (itemIds: string[]) =>
      withTenant(appDb, tenantOf(scope), (tx) => bulkModerateItems(scope, tx, { action: "reply", itemIds, statement }));
    /** The same rows written by set-based statements, the text built in SQL. */
    const writeRowsOnly = (itemIds: string[]) =>
      withTenant(appDb, tenantOf(scope), (tx) =>
        tx.execute(sql`
          with target as (
            select id, client_id, channel_id, author_handle, body, status from items
            where agency_id = ${agency.agencyId} and id = any(${uuidArray(itemIds)}) and status = 'queued'
            order by id for update),
          reply as (
            insert into replies (agency_id, client_id, item_id, channel_id, kind, body, status, requires_approval,
              author_user_id, created_at, updated_at)
            select ${agency.agencyId}, client_id, id, channel_id, 'reply',
              'Hi ' || author_handle || ', thanks for telling us about "' || body || '". The servers are back within the hour.',
              'approved', 'none', ${userId}, now(), now()
            from target returning id, item_id, client_id, channel_id, body),
          delivery as (
            insert into outbound_deliveries (agency_id, client_id, channel_id, item_id, reply_id, action, status)
            select ${agency.agencyId}, client_id, channel_id, item_id, id, 'reply', 'pending' from reply),
          answered as (
            update items set status = 'responded', claimed_by = null, claim_expires_at = null, updated_at = now()
            from target where items.id = target.id),
          audit as (
            insert into audit_events (agency_id, client_id, actor_user_id, action, subject_type, subject_id, before,
              after)
            select ${agency.agencyId}, client_id, ${userId}, 'reply.queued', 'reply', id::text,
              jsonb_build_object('itemId', item_id, 'itemStatus', 'queued'),
              jsonb_build_object('itemId', item_id, 'itemStatus', 'responded', 'status', 'approved', 'body', body)
            from reply)
          select count(*)::int as n from reply`),
      );

    await answerAll(take(WARM_UP));
    await writeRowsOnly(take(WARM_UP));
    let subjectMs = 0;
    let floorMs = 0;
    let postgresMs = 0;
    let answered = 0;
    let blocked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      await writeRowsOnly(take(ITEMS));
      floorMs += performance.now() - started;
      await bench.takePostgresTime();
      started = performance.now();
      const view = await answerAll(take(ITEMS));
      subjectMs += performance.now() - started;
      postgresMs += await bench.takePostgresTime();
      answered += view.updated;
      blocked += view.blocked.length;
    }
    const perSecond = (answered / subjectMs) * 1000;
    const floorPerSecond = ((ROUNDS * ITEMS) / floorMs) * 1000;
    console.log(
      `holding statement to ${ROUNDS} × ${ITEMS} incident items, ${EARLIER_REPLIES} earlier replies (${describeMachine()}): ` +
        `${answered} answered, ${blocked} refused by the checks, ${perSecond.toFixed(0)} items/s ` +
        `(${(subjectMs / answered).toFixed(1)} ms each, of which ${(postgresMs / answered).toFixed(1)} ms in PostgreSQL); ` +
        `the rows alone ${floorPerSecond.toFixed(0)} items/s; ratio ${(perSecond / floorPerSecond).toFixed(2)} of the floor ` +
        `(target ≥ ${TARGET_PER_SECOND} items/s)`,
    );
    missed = perSecond < TARGET_PER_SECOND || answered !== ROUNDS * ITEMS;
  } finally {
    await closeDatabase(owner);
    await closeDatabase(appDb);
  }
} finally {
  await bench.stop();
}
if (missed) process.exit(1);
