/**
 * The shift lead's floor view: per client and channel the incoming items and the items awaiting a first response
 * over the last hours, the spikes, the clocks at risk and breached, today's median first response against its
 * target; and who is on the floor — online, idle or working (on which items) — with each one's pace today.
 *
 * Definitions, written down once:
 * - incoming: items received (the brand's own posts not counted), per `bucketMinutes`; the current rate is the last
 *   `spikeRule.windowMinutes`' count per hour, the usual rate the spike detection's (usual-rate.ts);
 * - awaiting a first response: items whose first-response clock had started and not stopped at the bucket's end;
 * - at risk / breached: items the console's At risk / Breached views list (`clockStateCondition`);
 * - automatic triage waiting: the triage steps (acknowledgement, escalation, follow-up) that have fallen due and that
 *   the workflow driver has not finished yet (due `workflow_wakeups` of the triage flow), and the oldest one's due time:
 *   in a spike the driver falls behind, and this is how far;
 * - median first response today: over the first-response clocks started since the client's midnight and stopped,
 *   in business minutes as the SLA reports count them (`findClockEvidence`), per priority, with the target those
 *   clocks run on (the contract in force, or the agency's default policy);
 * - online: the member's console stream was connected within `onlineWithinMs` (presence.ts); working: holds a claim
 *   whose lease has not run out;
 * - handled per moderator-hour today (since the agency's midnight): the items a member handled (staffing's
 *   `handledActions`) over the quarter-hours in which they claimed or handled anything.
 */
import { type Executor, schema, uuidArray } from "@parley/db";
import { and, eq, gte, inArray, isNull, or, sql } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";
import { assertAllowed } from "../kernel/permissions";
import type { Scope } from "../kernel/scope";
import { clockStateCondition, openPause } from "../moderation/queue";
import { findClockEvidence, localDateOf, localMidnightInstant } from "../sla/period-aggregates";
import { countArrivals } from "../staffing/arrival-history";
import { handledActions } from "../staffing/handling-times";
import { agencyTimeZoneOf, plannedClientsOf } from "../staffing/staffing-scope";
import { perHour, spikeItemsCountedTo, spikeRule, usualInWindow } from "./spike-rule";
import { forecastUsualArrivals } from "./usual-rate";

const { channels, items, memberships, users, volumeSpikes, slaClocks, workflowWakeups } = schema;

/** The chart's span and step. */
export const floorHours = 6;
export const bucketMinutes = 15;
/** A console stream heartbeats every 25 s: two missed heartbeats and the member is offline. */
export const onlineWithinMs = 60_000;

const bucketMs = bucketMinutes * 60_000;

export interface FloorChannelView {
  channelId: string;
  name: string;
  platform: string;
  /** Per bucket (`FloorView.buckets`): items received, and items awaiting a first response at its end. */
  incoming: number[];
  awaiting: number[];
}

export interface FloorSpikeView {
  id: string;
  clientId: string;
  startedAt: Date;
  endedAt: Date | null;
  usualPerHour: number;
  peakRatePerHour: number;
  lastRatePerHour: number;
  /** Items received from the window that started it: until now while open, until its end once ended. */
  items: number;
}

export interface FirstResponseToday {
  priority: string;
  /** Clocks stopped today, and their median in business minutes (null: none stopped yet). */
  responses: number;
  medianMinutes: number | null;
  targetMinutes: number;
}

export interface FloorClientView {
  clientId: string;
  clientName: string;
  /** Items per hour over the last `spikeRule.windowMinutes` minutes, and the usual rate for them (null: < a week of history). */
  ratePerHour: number;
  usualPerHour: number | null;
  /** The usual items per bucket (null: no usual rate yet). */
  usual: number[] | null;
  queued: number;
  claimed: number;
  atRisk: number;
  breached: number;
  spike: FloorSpikeView | null;
  /** Triage steps due and not yet taken, and when the oldest fell due (null: none). */
  triage: { waiting: number; oldestDueAt: Date | null };
  firstResponse: FirstResponseToday[];
  channels: FloorChannelView[];
}

export type FloorMemberState = "working" | "idle" | "offline";

export interface FloorMemberView {
  userId: string;
  name: string;
  role: string;
  state: FloorMemberState;
  lastSeenAt: Date | null;
  /** The items the member holds now, soonest to lapse first: whose (the author's handle) and which client's. */
  holding: Array<{
    itemId: string;
    clientId: string;
    clientName: string;
    authorHandle: string;
    claimExpiresAt: Date | null;
  }>;
  handledToday: number;
  /** Quarter-hours with a claim or a handled item today, in hours. */
  activeHoursToday: number;
  handledPerHour: number | null;
}

export interface FloorView {
  at: Date;
  timeZone: string;
  bucketMinutes: number;
  /** The start of each bucket, oldest first; the last one is under way. */
  buckets: Date[];
  clients: FloorClientView[];
  /** Spikes open now or ended within the chart's span, newest first. */
  spikes: FloorSpikeView[];
  members: FloorMemberView[];
  /** The floor's handled items today per moderator-hour (every member's handled items over their active hours). */
  handledToday: number;
  activeHoursToday: number;
  handledPerModeratorHour: number | null;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function toSpikeView(row: typeof volumeSpikes.$inferSelect, items = row.items): FloorSpikeView {
  return {
    id: row.id,
    clientId: row.clientId,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    usualPerHour: row.usualPerHour,
    peakRatePerHour: row.peakRatePerHour,
    lastRatePerHour: row.lastRatePerHour,
    items,
  };
}

/** Today's median first response per priority of one client (see the definitions above). */
async function firstResponseToday(
  scope: Scope,
  tx: Executor,
  input: { clientId: string; timeZone: string; now: Date },
): Promise<FirstResponseToday[]> {
  const today = localDateOf(input.now, input.timeZone);
  const from = localMidnightInstant(today, input.timeZone);
  const targets = await tx.execute<{ priority: string; target_minutes: number }>(sql`
    select distinct on (priority) priority::text as priority, target_minutes from ${slaClocks}
    where agency_id = ${scope.agencyId} and client_id = ${input.clientId} and metric = 'first_response'
      and started_at >= ${from.toISOString()}::timestamptz and started_at <= ${input.now.toISOString()}::timestamptz
    order by priority, started_at desc`);
  if (targets.length === 0) return [];
  const evidence = await findClockEvidence(scope, tx, {
    clientId: input.clientId,
    period: { periodStart: today, periodEnd: today, timeZone: input.timeZone, from, to: input.now },
    asOf: input.now,
    excludeClientSideTime: true,
  });
  return targets.map((target) => {
    const stopped = evidence.filter(
      (row) => row.metric === "first_response" && row.priority === target.priority && row.stoppedAt !== null,
    );
    return {
      priority: target.priority,
      responses: stopped.length,
      medianMinutes: median(stopped.map((row) => row.businessMinutes)),
      targetMinutes: target.target_minutes,
    };
  });
}

export async function getFloor(scope: Scope, tx: Executor, deps: { now?: Clock } = {}): Promise<FloorView> {
  assertAllowed(scope, "watchFloor", "Only agency leads see the floor");
  const now = (deps.now ?? systemClock)();
  const at = now.getTime();
  const timeZone = await agencyTimeZoneOf(scope, tx);
  const clients = await plannedClientsOf(scope, tx);
  const clientIds = clients.map((client) => client.id);
  const bucketCount = (floorHours * 60) / bucketMinutes;
  const firstBucket = Math.floor(at / bucketMs) * bucketMs - (bucketCount - 1) * bucketMs;
  const buckets = Array.from({ length: bucketCount }, (_, index) => firstBucket + index * bucketMs);
  const fromSql = sql`${new Date(firstBucket).toISOString()}::timestamptz`;
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  const ids = uuidArray(clientIds);

  const channelRows =
    clientIds.length === 0
      ? []
      : await tx
          .select({
            id: channels.id,
            clientId: channels.clientId,
            name: channels.displayName,
            platform: channels.platform,
          })
          .from(channels)
          .where(and(eq(channels.agencyId, scope.agencyId), inArray(channels.clientId, clientIds)))
          .orderBy(channels.displayName);
  const incoming = await tx.execute<{ channel_id: string; bucket: number; items: number }>(sql`
    select channel_id, floor((extract(epoch from received_at) * 1000 - ${firstBucket}) / ${bucketMs})::int as bucket,
      count(*)::int as items
    from ${items}
    where agency_id = ${scope.agencyId} and client_id = any(${ids}) and not by_brand
      and received_at >= ${fromSql} and received_at <= ${nowSql}
    group by 1, 2`);
  // Clocks still running, and those stopped within the span (a first response waits days at most).
  const awaiting = await tx.execute<{ channel_id: string; bucket: number; items: number }>(sql`
    select i.channel_id, b.bucket, count(*)::int as items
    from generate_series(0, ${bucketCount - 1}) as b(bucket)
    join ${slaClocks} as c on c.agency_id = ${scope.agencyId} and c.metric = 'first_response'
      and c.client_id = any(${ids})
      and (c.stopped_at is null or (c.stopped_at >= ${fromSql} and c.started_at >= ${fromSql} - interval '7 days'))
      and c.started_at < least(${fromSql} + (b.bucket + 1) * ${bucketMinutes} * interval '1 minute', ${nowSql})
      and (c.stopped_at is null
        or c.stopped_at >= least(${fromSql} + (b.bucket + 1) * ${bucketMinutes} * interval '1 minute', ${nowSql}))
    join ${items} as i on i.agency_id = c.agency_id and i.id = c.item_id
    group by 1, 2`);
  const seriesOf = (rows: ReadonlyArray<{ channel_id: string; bucket: number; items: number }>, channelId: string) => {
    const values = new Array<number>(bucketCount).fill(0);
    for (const row of rows) {
      if (row.channel_id === channelId && row.bucket >= 0 && row.bucket < bucketCount) values[row.bucket] = row.items;
    }
    return values;
  };

  const states = await tx.execute<{ client_id: string; at_risk: number; breached: number }>(sql`
    select c.client_id,
      count(distinct c.item_id) filter (where ${clockStateCondition("at_risk", now)})::int as at_risk,
      count(distinct c.item_id) filter (where ${clockStateCondition("breached", now)})::int as breached
    from ${slaClocks} as c
    where c.agency_id = ${scope.agencyId} and c.stopped_at is null and c.client_id = any(${ids})
      and not ${openPause("c")}
    group by c.client_id`);
  const queue = await tx.execute<{ client_id: string; queued: number; claimed: number }>(sql`
    select client_id, (count(*) filter (where status = 'queued'))::int as queued,
      (count(*) filter (where status = 'claimed'))::int as claimed
    from ${items}
    where agency_id = ${scope.agencyId} and client_id = any(${ids}) and status in ('queued', 'claimed')
    group by client_id`);
  const triage = await tx.execute<{ client_id: string; waiting: number; oldest_due_at: string }>(sql`
    select client_id, count(*)::int as waiting, min(due_at) as oldest_due_at from ${workflowWakeups}
    where agency_id = ${scope.agencyId} and client_id = any(${ids}) and flow = 'triage' and due_at <= ${nowSql}
    group by client_id`);
  const window = { from: at - spikeRule.windowMinutes * 60_000, to: at };
  const recent = await tx.execute<{ client_id: string; items: number }>(sql`
    select client_id, count(*)::int as items from ${items}
    where agency_id = ${scope.agencyId} and client_id = any(${ids})
      and received_at >= ${new Date(window.from).toISOString()}::timestamptz and received_at < ${nowSql}
    group by client_id`);
  const usualArrivals = await forecastUsualArrivals(scope, tx, { clients, from: firstBucket, now });
  const spikeRows =
    clientIds.length === 0
      ? []
      : await tx
          .select()
          .from(volumeSpikes)
          .where(
            and(
              eq(volumeSpikes.agencyId, scope.agencyId),
              inArray(volumeSpikes.clientId, clientIds),
              or(isNull(volumeSpikes.endedAt), gte(volumeSpikes.endedAt, new Date(firstBucket))),
            ),
          )
          .orderBy(sql`${volumeSpikes.startedAt} desc`);
  // An open spike's items up to this read: the detection's count, which runs to the start of the spike's current
  // minute, plus the items received since (a minute or so of them, however long the spike).
  const spikes: FloorSpikeView[] = [];
  for (const row of spikeRows) {
    if (row.endedAt !== null) {
      spikes.push(toSpikeView(row));
      continue;
    }
    const since = await countArrivals(scope, tx, {
      clientIds: [row.clientId],
      from: spikeItemsCountedTo(row),
      to: now,
    });
    spikes.push(toSpikeView(row, row.items + (since.get(row.clientId) ?? 0)));
  }

  const clientViews: FloorClientView[] = [];
  for (const client of clients) {
    const arrivals = usualArrivals.get(client.id) ?? null;
    const state = states.find((row) => row.client_id === client.id);
    const waiting = queue.find((row) => row.client_id === client.id);
    const count = recent.find((row) => row.client_id === client.id)?.items ?? 0;
    const behind = triage.find((row) => row.client_id === client.id);
    clientViews.push({
      clientId: client.id,
      clientName: client.name,
      ratePerHour: perHour(count, spikeRule.windowMinutes),
      usualPerHour: arrivals ? perHour(usualInWindow(arrivals, window), spikeRule.windowMinutes) : null,
      usual: arrivals ? buckets.map((start) => usualInWindow(arrivals, { from: start, to: start + bucketMs })) : null,
      queued: waiting?.queued ?? 0,
      claimed: waiting?.claimed ?? 0,
      atRisk: state?.at_risk ?? 0,
      breached: state?.breached ?? 0,
      spike: spikes.find((spike) => spike.clientId === client.id && spike.endedAt === null) ?? null,
      triage: {
        waiting: behind?.waiting ?? 0,
        oldestDueAt: behind ? new Date(behind.oldest_due_at) : null,
      },
      firstResponse: await firstResponseToday(scope, tx, { clientId: client.id, timeZone: client.timeZone, now }),
      channels: channelRows
        .filter((channel) => channel.clientId === client.id)
        .map((channel) => ({
          channelId: channel.id,
          name: channel.name,
          platform: channel.platform,
          incoming: seriesOf(incoming, channel.id),
          awaiting: seriesOf(awaiting, channel.id),
        })),
    });
  }

  const todayFrom = localMidnightInstant(localDateOf(now, timeZone), timeZone);
  const members = await tx.execute<{
    user_id: string;
    name: string;
    role: string;
    last_seen_at: string | null;
    handled: number;
    quarters: number;
  }>(sql`
    with work as (
      select e.actor_user_id, e.action, date_trunc('hour', e.created_at)
        + floor(extract(minute from e.created_at) / 15) * interval '15 minutes' as quarter
      from audit_events e
      where e.agency_id = ${scope.agencyId} and e.actor_user_id is not null
        and e.created_at >= ${todayFrom.toISOString()}::timestamptz and e.created_at <= ${nowSql}
        and e.action in (${sql.join(
          [...handledActions, "item.claimed"].map((action) => sql`${action}`),
          sql`, `,
        )})
    ), pace as (
      select actor_user_id, (count(*) filter (where action <> 'item.claimed'))::int as handled,
        count(distinct quarter)::int as quarters
      from work group by actor_user_id
    )
    select m.user_id, u.name, m.role::text as role, m.last_seen_at, coalesce(p.handled, 0) as handled,
      coalesce(p.quarters, 0) as quarters
    from ${memberships} as m
    join ${users} as u on u.id = m.user_id
    left join pace as p on p.actor_user_id = m.user_id
    where m.agency_id = ${scope.agencyId} and m.role in ('owner', 'admin', 'moderator')
    order by u.name, m.user_id`);
  const held = await tx.execute<{
    claimed_by: string;
    id: string;
    client_id: string;
    author_handle: string;
    claim_expires_at: string | null;
  }>(sql`
    select claimed_by, id, client_id, author_handle, claim_expires_at from ${items}
    where agency_id = ${scope.agencyId} and status = 'claimed' and claimed_by is not null
      and client_id = any(${ids}) and (claim_expires_at is null or claim_expires_at > ${nowSql})
    order by claim_expires_at`);
  const clientName = new Map(clients.map((client) => [client.id, client.name]));
  const memberViews = members
    .map((row): FloorMemberView => {
      const holding = held
        .filter((item) => item.claimed_by === row.user_id)
        .map((item) => ({
          itemId: item.id,
          clientId: item.client_id,
          clientName: clientName.get(item.client_id) ?? "",
          authorHandle: item.author_handle,
          claimExpiresAt: item.claim_expires_at ? new Date(item.claim_expires_at) : null,
        }));
      const lastSeenAt = row.last_seen_at ? new Date(row.last_seen_at) : null;
      const online = lastSeenAt !== null && at - lastSeenAt.getTime() <= onlineWithinMs;
      const activeHoursToday = row.quarters / 4;
      return {
        userId: row.user_id,
        name: row.name,
        role: row.role,
        state: holding.length > 0 ? "working" : online ? "idle" : "offline",
        lastSeenAt,
        holding,
        handledToday: row.handled,
        activeHoursToday,
        handledPerHour: activeHoursToday > 0 ? row.handled / activeHoursToday : null,
      };
    })
    // Leads are on the floor when they work items; moderators always.
    .filter((member) => member.role === "moderator" || member.state === "working" || member.handledToday > 0);
  const handledToday = memberViews.reduce((total, member) => total + member.handledToday, 0);
  const activeHoursToday = memberViews.reduce((total, member) => total + member.activeHoursToday, 0);
  return {
    at: now,
    timeZone,
    bucketMinutes,
    buckets: buckets.map((start) => new Date(start)),
    clients: clientViews,
    spikes,
    members: memberViews,
    handledToday,
    activeHoursToday,
    handledPerModeratorHour: activeHoursToday > 0 ? handledToday / activeHoursToday : null,
  };
}
