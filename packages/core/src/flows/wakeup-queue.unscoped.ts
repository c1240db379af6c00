import { type Database, schema, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";
import { flowColumnOf, flowNameOf, type WakeupFlowColumn } from "../kernel/schedule-wakeups";
import type { FlowName, WakeupEvent } from "../kernel/wakeup";
import type { WakeupQueue, WakeupRecord } from "./ports";

/*
 * Deliberately unscoped: the workflow drivers serve every agency. Each sweep reads the agency ids and
 * then works inside one tenant transaction per agency, so row-level security still applies.
 */

const { workflowWakeups } = schema;

interface WakeupRow extends Record<string, unknown> {
  id: string;
  agency_id: string;
  client_id: string;
  flow: WakeupFlowColumn;
  subject_id: string;
  due_at: string | Date;
  waiting_for: string | null;
  attempts: number;
  /** The claim's token: any later schedule or notify moves it. */
  updated_at: string | Date;
}

export interface ClaimedWakeup extends WakeupRecord {
  clientId: string;
}

export interface DatabaseWakeupQueue extends WakeupQueue {
  claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedWakeup[]>;
}

async function listAgencyIds(db: Database): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`select id from agencies order by id`);
  return rows.map((row) => row.id);
}

const tenantOf = (agencyId: string) => ({ agencyId, clientIds: null, userId: null });

/**
 * Arms the SLA watch of the agency's items with a running clock whose at-risk instant has come and whose watch was
 * never armed (ingest starts clocks without one: most stop before they are at risk), due at that instant, so the
 * claim that follows takes it. Marks every clock of those items armed (`watch_armed_at`), in the same statement,
 * so a watch is armed once per item, as ingest used to: from then on the watch reschedules itself, and the
 * reconciliation sweep re-arms it if lost. Reads `sla_clocks_unwatched_idx`.
 */
function armDueClockWatches(agencyId: string, nowIso: string) {
  return sql`
    with due as (
      select distinct item_id from sla_clocks
      where agency_id = ${agencyId} and at_risk_at <= ${nowIso}
        and watch_armed_at is null and stopped_at is null and breached_at is null
    ), armed as (
      update sla_clocks as c set watch_armed_at = ${nowIso}
      from due where c.agency_id = ${agencyId} and c.item_id = due.item_id and c.watch_armed_at is null
      returning c.agency_id, c.client_id, c.item_id, c.at_risk_at, c.stopped_at, c.breached_at
    )
    insert into ${workflowWakeups} (id, agency_id, client_id, flow, subject_id, due_at)
    select gen_random_uuid(), agency_id, client_id, 'clock', item_id, min(at_risk_at)
    from armed where stopped_at is null and breached_at is null
    group by agency_id, client_id, item_id
    order by item_id
    on conflict (flow, subject_id) do nothing`;
}

/**
 * The PostgreSQL `WakeupQueue`: claims due wake-ups agency by agency with `FOR UPDATE SKIP LOCKED` and a
 * lease (`locked_until`), so two processes never advance the same item at once and a crashed process's
 * claim simply runs out; each claim first arms the watches of clocks that have come due
 * (`armDueClockWatches`). The claim remembers the row's `updated_at`; a schedule or notify while claimed
 * moves it, and the release then keeps the wake-up due instead of pushing it back.
 */
export function createWakeupQueue(db: Database): DatabaseWakeupQueue {
  const claims = new Map<string, { agencyId: string; token: string }>();

  async function schedule({
    flow,
    agencyId,
    itemId,
    dueAt,
  }: {
    flow: FlowName;
    agencyId: string;
    itemId: string;
    dueAt: Date;
  }) {
    await withTenant(db, tenantOf(agencyId), (tx) =>
      tx.execute(sql`
        insert into ${workflowWakeups} (id, agency_id, client_id, flow, subject_id, due_at)
        select ${schema.uuidv7()}, agency_id, client_id, ${flowColumnOf[flow]}, id, ${dueAt.toISOString()}
        from items where id = ${itemId} and agency_id = ${agencyId}
        on conflict (flow, subject_id) do update set
          due_at = least(${workflowWakeups}.due_at, excluded.due_at),
          updated_at = date_trunc('milliseconds', clock_timestamp())`),
    );
  }

  async function notify({ event, itemId }: { event: WakeupEvent; itemId: string }, now: Date) {
    let woken = 0;
    for (const agencyId of await listAgencyIds(db)) {
      const rows = await withTenant(db, tenantOf(agencyId), (tx) =>
        tx.execute(sql`
          update ${workflowWakeups} set due_at = least(due_at, ${now.toISOString()}),
            updated_at = date_trunc('milliseconds', clock_timestamp())
          where agency_id = ${agencyId} and subject_id = ${itemId}
            and (waiting_for = ${event} or locked_until > ${now.toISOString()})
          returning id`),
      );
      woken += rows.length;
    }
    return woken;
  }

  async function claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedWakeup[]> {
    const claimed: ClaimedWakeup[] = [];
    const nowIso = now.toISOString();
    const leaseIso = new Date(now.getTime() + leaseMs).toISOString();
    for (const agencyId of await listAgencyIds(db)) {
      if (claimed.length >= limit) break;
      const rows = await withTenant(db, tenantOf(agencyId), async (tx) => {
        await tx.execute(armDueClockWatches(agencyId, nowIso));
        return tx.execute<WakeupRow>(sql`
          with due as (
            select id from ${workflowWakeups}
            where agency_id = ${agencyId} and due_at <= ${nowIso}
              and (locked_until is null or locked_until <= ${nowIso})
            order by due_at
            limit ${limit - claimed.length}
            for update skip locked)
          update ${workflowWakeups} as w
          set locked_until = ${leaseIso}, updated_at = date_trunc('milliseconds', clock_timestamp())
          from due where w.id = due.id
          returning w.id, w.agency_id, w.client_id, w.flow, w.subject_id, w.due_at, w.waiting_for, w.attempts, w.updated_at`);
      });
      for (const row of rows) {
        claims.set(row.id, { agencyId, token: new Date(row.updated_at).toISOString() });
        claimed.push({
          id: row.id,
          flow: flowNameOf[row.flow],
          agencyId,
          clientId: row.client_id,
          itemId: row.subject_id,
          dueAt: new Date(row.due_at),
          waitingFor: row.waiting_for as WakeupEvent | null,
          attempts: row.attempts,
        });
      }
    }
    return claimed;
  }

  async function reschedule(id: string, next: { dueAt: Date; waitingFor: WakeupEvent | null; attempts: number }) {
    const claim = claims.get(id);
    if (!claim) return;
    claims.delete(id);
    const dueAt = next.dueAt.toISOString();
    await withTenant(db, tenantOf(claim.agencyId), (tx) =>
      tx.execute(sql`
        update ${workflowWakeups} set
          due_at = case when updated_at = ${claim.token} then ${dueAt}::timestamptz else least(due_at, ${dueAt}::timestamptz) end,
          waiting_for = ${next.waitingFor}, attempts = ${next.attempts}, locked_until = null,
          updated_at = date_trunc('milliseconds', clock_timestamp())
        where id = ${id} and agency_id = ${claim.agencyId}`),
    );
  }

  async function complete(id: string) {
    const claim = claims.get(id);
    if (!claim) return;
    claims.delete(id);
    await withTenant(db, tenantOf(claim.agencyId), async (tx) => {
      const deleted = await tx.execute(sql`
        delete from ${workflowWakeups} where id = ${id} and agency_id = ${claim.agencyId} and updated_at = ${claim.token}
        returning id`);
      // Re-armed while claimed: stays, due at the time it was re-armed for.
      if (deleted.length === 0) {
        await tx.execute(
          sql`update ${workflowWakeups} set locked_until = null where id = ${id} and agency_id = ${claim.agencyId}`,
        );
      }
    });
  }

  return { schedule, notify, claimDue, reschedule, complete };
}

/**
 * The reconciliation sweep: re-arms what should be running but has no wake-up — running SLA clocks whose watch was
 * armed (the others are armed by `claimDue` when their at-risk instant comes), and escalations whose
 * triage loop has not closed (resolved ones only when the flow ran them: imported history has no workflow state).
 * Returns how many wake-ups it created.
 */
export async function reconcileWakeups(db: Database, { now }: { now: Date }): Promise<number> {
  let created = 0;
  for (const agencyId of await listAgencyIds(db)) {
    const rows = await withTenant(db, tenantOf(agencyId), (tx) =>
      tx.execute(sql`
        insert into ${workflowWakeups} (id, agency_id, client_id, flow, subject_id, due_at)
        select gen_random_uuid(), agency_id, client_id, flow::text, item_id, ${now.toISOString()}::timestamptz from (
          select distinct agency_id, client_id, 'clock' as flow, item_id from sla_clocks
          where agency_id = ${agencyId} and stopped_at is null and breached_at is null
            and watch_armed_at is not null
          union
          select distinct agency_id, client_id, 'triage' as flow, item_id from escalations
          where agency_id = ${agencyId} and (status in ('open', 'acknowledged')
            or (status = 'resolved' and workflow_state ? 'closed' and not (workflow_state->>'closed')::boolean))
        ) missing
        on conflict (flow, subject_id) do nothing
        returning id`),
    );
    created += rows.length;
  }
  return created;
}

/** An event the Inngest relay sends for a wake-up (names and payloads of the workflows' event catalogue). */
export type FlowEvent =
  | {
      id: string;
      name: "moderation/item.received";
      data: { agencyId: string; clientId: string; channelId: string; itemId: string };
    }
  | {
      id: string;
      name: "escalations/escalation.resolved";
      data: { agencyId: string; clientId: string; itemId: string; escalationId: string; resolvedAt: string };
    }
  | { id: string; name: "sla/clock.resumed"; data: { agencyId: string; itemId: string; metric: "resolution" } };

/**
 * In Inngest mode the wake-up table is an outbox: a wake-up that waits for no event starts the item's
 * flows (`moderation/item.received`, once per item by the functions' idempotency), one waiting for
 * `escalations/escalation.resolved` (or `sla/clock.resumed`) forwards that event. Ids make a resend a
 * no-op. The SLA watch of an item nobody triages starts when its first wake-up is due (the at-risk
 * instant): it has nothing to do before.
 */
export async function findFlowEvents(db: Database, wakeup: ClaimedWakeup): Promise<FlowEvent[]> {
  return withTenant(db, tenantOf(wakeup.agencyId), async (tx) => {
    if (wakeup.waitingFor === "escalations/escalation.resolved") {
      const rows = await tx.execute<{ id: string; resolved_at: string | Date | null }>(sql`
        select id, resolved_at from escalations where item_id = ${wakeup.itemId} and status = 'resolved'
        order by created_at desc limit 1`);
      const escalation = rows[0];
      if (!escalation?.resolved_at) return [];
      return [
        {
          id: `escalation-resolved:${escalation.id}`,
          name: "escalations/escalation.resolved",
          data: {
            agencyId: wakeup.agencyId,
            clientId: wakeup.clientId,
            itemId: wakeup.itemId,
            escalationId: escalation.id,
            resolvedAt: new Date(escalation.resolved_at).toISOString(),
          },
        },
      ];
    }
    if (wakeup.waitingFor === "sla/clock.resumed") {
      const data = { agencyId: wakeup.agencyId, itemId: wakeup.itemId, metric: "resolution" as const };
      return [{ id: `clock-resumed:${wakeup.itemId}:${wakeup.dueAt.getTime()}`, name: "sla/clock.resumed", data }];
    }
    const rows = await tx.execute<{ channel_id: string }>(
      sql`select channel_id from items where id = ${wakeup.itemId} and agency_id = ${wakeup.agencyId}`,
    );
    const item = rows[0];
    if (!item) return [];
    return [
      {
        id: `item-received:${wakeup.itemId}`,
        name: "moderation/item.received",
        data: {
          agencyId: wakeup.agencyId,
          clientId: wakeup.clientId,
          channelId: item.channel_id,
          itemId: wakeup.itemId,
        },
      },
    ];
  });
}
