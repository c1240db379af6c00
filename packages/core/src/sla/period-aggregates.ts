/**
 * Period aggregates of a client's month: the counts and SLA evidence invoice-math turns into money, and the
 * SLA month shows as it goes.
 * Queries only; the rules of what they mean are written down here once.
 *
 * - A period is a month of the client's local dates, `[periodStart, periodEnd)`, turned into UTC
 *   instants in the client's time zone (a DST month is 743 or 745 hours long, not 744).
 * - Items count in the month they were received (`items.received_at`); escalations in the month
 *   they were opened (`escalations.created_at`), one incident's rolled-up escalations once (the one they rode on, as
 *   the client's portal lists them). The brand's own messages (`items.by_brand`: echoes of
 *   its replies, its own posts) are not items the client pays for.
 * - Out of hours: an item received outside the client's business hours in force when it arrived (its
 *   `business_calendars` version then; none, or an "around the clock" version = every hour is covered). The
 *   business intervals of the month under those versions are computed once (core/sla) and handed to PostgreSQL
 *   as a `tstzmultirange`, so a month already past keeps its count whatever the hours become later.
 * - SLA clocks count in the month their item was received (`sla_clocks.started_at`), under the
 *   clock's priority (`sla_clocks.priority`): the item's priority when the clock started, whose target
 *   the clock runs on. Reclassifying the item later changes neither the clock's target nor the line it
 *   counts in, so a contract's target per priority is judged on the clocks that ran on it. A clock is
 *   decided when it stopped, or when it is past due and not paused at `asOf`; undecided clocks are left
 *   out of `total` (and counted as `pending`).
 * - Client-side time excluded (the default): met ⇔ stopped by its due time, which the SLA clock
 *   already pushed back by the paused, client-side business time — i.e.
 *   `businessMinutes − clientSideMinutes ≤ target`. Included (`excludeClientSideTime: false`):
 *   met ⇔ `businessMinutes ≤ target`, the business time elapsed from start to stop including the
 *   pauses; only clocks with client-side time can differ, and those few are re-checked with the
 *   business-time arithmetic of core/sla.
 */

import { type SlaMetric, type SlaPriority, slaMetrics, slaPriorities } from "@parley/contracts/billing";
import { type Executor, uuidArray } from "@parley/db";
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Scope } from "../kernel/scope";
import type { BusinessCalendar } from "./business-calendar";
import { DAY_MS, getBusinessIntervals, getCalendarPlan, mergeIntervals } from "./business-intervals";
import { businessMinutesBetween } from "./business-time";
import { calendarOfClock, clockCalendarSql } from "./clock-rows";
import { type CalendarVersion, calendarVersionAt } from "./clock-terms";
import { wallTimeInstant } from "./zone-offsets";

/** A month of a client's local dates, "YYYY-MM", as inputs take it. */
export const billingPeriod = z
  .string({ message: 'must be a month "YYYY-MM"' })
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a month "YYYY-MM"' });

export interface BillingPeriod {
  /** Local dates, `[periodStart, periodEnd)`. */
  periodStart: string;
  periodEnd: string;
  timeZone: string;
  /** The same bounds as UTC instants. */
  from: Date;
  to: Date;
}

/** The UTC instant of local midnight starting `localDate` in `timeZone` (the first instant of the day). */
export function localMidnightInstant(localDate: string, timeZone: string): Date {
  return new Date(wallTimeInstant(localDate, 0, timeZone));
}

/** "2026-03" → the client's March 2026. */
export function monthlyPeriod(period: string, timeZone: string): BillingPeriod {
  const [year, month] = period.split("-").map(Number) as [number, number];
  const next = new Date(Date.UTC(year, month, 1));
  const periodStart = `${period}-01`;
  const periodEnd = next.toISOString().slice(0, 10);
  return {
    periodStart,
    periodEnd,
    timeZone,
    from: localMidnightInstant(periodStart, timeZone),
    to: localMidnightInstant(periodEnd, timeZone),
  };
}

/** "YYYY-MM-DD" of `at` in `timeZone`. */
export function localDateOf(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The month before the one containing `now` in `timeZone`, as "YYYY-MM". */
export function previousMonth(now: Date, timeZone: string): string {
  const [year, month] = localDateOf(now, timeZone).split("-").map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 7);
}

/**
 * The business intervals within `[from, to)` under the calendar versions in force over it (each stretch of time under
 * the version in force then; before the first version, and under an "around the clock" version, every instant is
 * in hours), as a PostgreSQL multirange literal; null when no version in force over it has hours.
 */
export function businessHoursMultirange(versions: readonly CalendarVersion[], from: Date, to: Date): string | null {
  const bounds = [
    from.getTime(),
    ...versions
      .map((version) => version.effectiveAt.getTime())
      .filter((at) => at > from.getTime() && at < to.getTime()),
    to.getTime(),
  ].sort((a, b) => a - b);
  const flat: number[] = [];
  let hasHours = false;
  for (let index = 0; index + 1 < bounds.length; index++) {
    const start = bounds[index]!;
    const end = bounds[index + 1]!;
    if (start >= end) continue;
    const calendar = calendarVersionAt(versions, new Date(start))?.calendar;
    if (!calendar) {
      flat.push(start, end);
      continue;
    }
    hasHours = true;
    const plan = getCalendarPlan(calendar);
    for (let day = Math.floor(start / DAY_MS); day * DAY_MS < end; day++) {
      const intervals = getBusinessIntervals(plan, day);
      for (let i = 0; i < intervals.length; i += 2) {
        const clippedStart = Math.max(intervals[i]!, start);
        const clippedEnd = Math.min(intervals[i + 1]!, end);
        if (clippedStart < clippedEnd) flat.push(clippedStart, clippedEnd);
      }
    }
  }
  if (!hasHours) return null;
  const merged = mergeIntervals(flat);
  const ranges: string[] = [];
  for (let i = 0; i < merged.length; i += 2) {
    ranges.push(`[${new Date(merged[i]!).toISOString()},${new Date(merged[i + 1]!).toISOString()})`);
  }
  return `{${ranges.join(",")}}`;
}

export interface PeriodVolume {
  itemCount: number;
  outOfHoursItemCount: number;
  escalationCount: number;
}

/** One client's month, as the aggregate queries take it. */
export interface ClientPeriod {
  clientId: string;
  period: BillingPeriod;
}

/**
 * The clients' months as a relation `p(client_id, from_at, to_at, hours)` of VALUES. `hours` is the
 * client's business hours over the month (the versions in force then), null when it had none.
 */
function clientPeriods(entries: ReadonlyArray<ClientPeriod & { calendars?: readonly CalendarVersion[] }>) {
  const rows = entries.map(({ clientId, period, calendars }) => {
    const hours = calendars ? businessHoursMultirange(calendars, period.from, period.to) : null;
    return sql`(${clientId}::uuid, ${period.from.toISOString()}::timestamptz, ${period.to.toISOString()}::timestamptz, ${hours}::tstzmultirange)`;
  });
  return sql`select * from (values ${sql.join(rows, sql`, `)}) as v(client_id, from_at, to_at, hours)`;
}

/**
 * Per client: items received, items received out of hours, and escalations opened in its month. Reads
 * the client-month indexes only. In-hours items are counted range by range of the business hours
 * (built above with `[start, end)` bounds) rather than testing every item against the multirange.
 */
export async function countPeriodVolumes(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clients: ReadonlyArray<ClientPeriod & { calendars: readonly CalendarVersion[] }> },
): Promise<Map<string, PeriodVolume>> {
  const volumes = new Map<string, PeriodVolume>();
  if (input.clients.length === 0) return volumes;
  const inMonth = (column: SQL) => sql`${column} >= p.from_at and ${column} < p.to_at`;
  const rows = await tx.execute<{ client_id: string; items: string; in_hours: string | null; escalations: string }>(sql`
    with p as (${clientPeriods(input.clients)})
    select p.client_id,
      (select count(*) from items i
        where i.agency_id = ${scope.agencyId} and i.client_id = p.client_id and not i.by_brand
          and ${inMonth(sql`i.received_at`)}) as items,
      case when p.hours is not null then (select coalesce(sum((select count(*) from items i
          where i.agency_id = ${scope.agencyId} and i.client_id = p.client_id and not i.by_brand
            and ${inMonth(sql`i.received_at`)}
            and i.received_at >= lower(h.hours) and i.received_at < upper(h.hours))), 0)
        from unnest(p.hours) as h(hours)) end as in_hours,
      (select count(*) from escalations e
        where e.agency_id = ${scope.agencyId} and e.client_id = p.client_id and ${inMonth(sql`e.created_at`)}
          and e.rolled_up_into_id is null) as escalations
    from p`);
  for (const row of rows) {
    const itemCount = Number(row.items);
    volumes.set(row.client_id, {
      itemCount,
      // Without business hours (null) nothing is out of hours.
      outOfHoursItemCount: row.in_hours === null ? 0 : itemCount - Number(row.in_hours),
      escalationCount: Number(row.escalations),
    });
  }
  return volumes;
}

/** The breached item ids a credit line keeps: the month's first ones, as many as the drill-down shows. */
export const maxBreachedItemIds = 500;

/** One SLA target's clocks of a client's month: how many were decided (`total`) and how many met it. */
export interface SlaTargetOutcome {
  priority: SlaPriority;
  metric: SlaMetric;
  total: number;
  met: number;
  /** Clocks neither stopped nor past due at `asOf` (or paused): not counted yet. */
  pending: number;
  /** Clocks that met the target only because client-side time was not counted; breached when it is (included). */
  metOnlyByClientSideTime: string[];
}

/**
 * Clients whose months have the same bounds (one time zone), so a statement can take the month as
 * constants: the planner then reads each table as one range of its client-month index.
 */
function groupByMonth<T extends ClientPeriod>(clients: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const client of clients) {
    const key = `${client.period.from.toISOString()} ${client.period.to.toISOString()}`;
    groups.set(key, [...(groups.get(key) ?? []), client]);
  }
  return [...groups.values()];
}

/**
 * The condition selecting the month's clocks (`c`) of clients sharing a month: one range of
 * `sla_clocks_client_started_idx` per client, an index that holds every column the aggregate reads.
 */
function inMonthClocks(scope: Pick<Scope, "agencyId">, clients: readonly ClientPeriod[]) {
  const clientIds = uuidArray(clients.map((client) => client.clientId));
  const from = clients[0]?.period.from.toISOString();
  const to = clients[0]?.period.to.toISOString();
  return sql`c.agency_id = ${scope.agencyId} and c.client_id = any(${clientIds})
    and c.started_at >= ${from} and c.started_at < ${to}`;
}

/** A running clock (`c`) decided at `asOf` (a timestamptz expression): past due and not paused. */
function isRunningPastDue(asOf: SQL) {
  return sql`c.stopped_at is null and c.due_at <= ${asOf} and not c.pauses @> '[[null]]'::jsonb`;
}

interface SlaCountRow extends Record<string, unknown> {
  client_id: string;
  priority: SlaPriority;
  metric: SlaMetric;
  clocks: string;
  met: string;
  running: string;
}

/**
 * Per client: SLA outcomes per priority × metric of its month, one entry for every pair that had
 * clocks, in P1…P4, first response before resolution order. For all the clients of a month, two
 * grouped statements: the month's clocks counted from `sla_clocks_client_started_idx` alone (a plain
 * count the planner can spread over parallel workers), and the running ones decided at `asOf`, read
 * through `sla_clocks_running_idx`. Which items breached is the credit line's business
 * (`breachedItemIdsOf`).
 */
export async function aggregateSlaOutcomes(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clients: ReadonlyArray<ClientPeriod & { excludeClientSideTime: boolean }>; asOf: Date },
): Promise<Map<string, SlaTargetOutcome[]>> {
  const byClient = new Map<string, Map<string, SlaTargetOutcome>>(
    input.clients.map((client) => [client.clientId, new Map()]),
  );
  if (input.clients.length === 0) return new Map();
  const counts: SlaCountRow[] = [];
  const runningPastDue = new Map<string, number>();
  const key = (row: { client_id: string; priority: string; metric: string }) =>
    `${row.client_id} ${row.priority} ${row.metric}`;
  for (const clients of groupByMonth(input.clients)) {
    counts.push(
      ...(await tx.execute<SlaCountRow>(sql`
        select c.client_id, c.priority, c.metric, count(*) as clocks,
          count(*) filter (where c.stopped_at <= c.due_at) as met,
          count(*) filter (where c.stopped_at is null) as running
        from sla_clocks c
        where ${inMonthClocks(scope, clients)}
        group by c.client_id, c.priority, c.metric`)),
    );
    const decided = await tx.execute<{ client_id: string; priority: string; metric: string; decided: string }>(sql`
      select c.client_id, c.priority, c.metric, count(*) as decided
      from sla_clocks c
      where ${inMonthClocks(scope, clients)} and ${isRunningPastDue(sql`${input.asOf.toISOString()}::timestamptz`)}
      group by c.client_id, c.priority, c.metric`);
    for (const row of decided) runningPastDue.set(key(row), Number(row.decided));
  }
  for (const row of counts) {
    const running = Number(row.running);
    const decidedRunning = runningPastDue.get(key(row)) ?? 0;
    byClient.get(row.client_id)?.set(`${row.priority} ${row.metric}`, {
      priority: row.priority,
      metric: row.metric,
      total: Number(row.clocks) - running + decidedRunning,
      met: Number(row.met),
      pending: running - decidedRunning,
      metOnlyByClientSideTime: [],
    });
  }
  const including = input.clients.filter((client) => !client.excludeClientSideTime);
  for (const late of await findMetOnlyByClientSideTime(scope, tx, { clients: including })) {
    const outcome = byClient.get(late.clientId)?.get(`${late.priority} ${late.metric}`);
    if (!outcome) continue;
    outcome.met -= 1;
    outcome.metOnlyByClientSideTime.push(late.itemId);
  }
  const order = (o: SlaTargetOutcome) => slaPriorities.indexOf(o.priority) * 2 + slaMetrics.indexOf(o.metric);
  return new Map(
    [...byClient].map(([clientId, outcomes]) => [clientId, [...outcomes.values()].sort((a, b) => order(a) - order(b))]),
  );
}

/** A credit line's target in the client's month, at the draft's `asOf` (ISO instants). */
export interface BreachedItemsTarget {
  priority: SlaPriority;
  metric: SlaMetric;
  from: string;
  to: string;
  asOf: string;
  metOnlyByClientSideTime: readonly string[];
}

/**
 * The breached item ids a credit line keeps, as a jsonb array computed where the line is stored: the first
 * `maxBreachedItemIds` clocks of the target breached in the client's month at `asOf`, by start time then item
 * id (the drill-down's order). Breached means decided and not met, as the aggregate counts: stopped after its
 * due time (`sla_clocks_breached_idx`, read in order and cut at the limit), running past due and not paused,
 * or met only by client-side time when it counts. The target's fields are SQL expressions (typed columns of the
 * lines being stored), so one statement serves many lines.
 */
export function breachedItemIdsOf(
  target: { agencyId: SQL; clientId: SQL } & { [field in keyof BreachedItemsTarget]: SQL },
): SQL {
  const limit = sql.raw(String(maxBreachedItemIds));
  const ofTarget = sql`c.agency_id = ${target.agencyId} and c.client_id = ${target.clientId}
    and c.started_at >= ${target.from} and c.started_at < ${target.to}
    and c.priority = ${target.priority} and c.metric = ${target.metric}`;
  return sql`(select coalesce(jsonb_agg(first.item_id order by first.started_at, first.item_id), '[]'::jsonb)
    from (select item_id, started_at from (
      (select c.item_id, c.started_at from sla_clocks c
        where ${ofTarget} and c.stopped_at > c.due_at
        order by c.started_at, c.item_id limit ${limit})
      union all
      (select c.item_id, c.started_at from sla_clocks c where ${ofTarget} and ${isRunningPastDue(target.asOf)})
      union all
      (select c.item_id, c.started_at from sla_clocks c
        where ${ofTarget} and c.item_id = any(${target.metOnlyByClientSideTime}))
    ) as breached order by started_at, item_id limit ${limit}) as first)`;
}

/** Clocks that met their target only because client-side time was not counted. */
async function findMetOnlyByClientSideTime(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clients: readonly ClientPeriod[] },
): Promise<Array<{ clientId: string; priority: SlaPriority; metric: SlaMetric; itemId: string }>> {
  if (input.clients.length === 0) return [];
  const rows = await tx.execute<{
    client_id: string;
    priority: SlaPriority;
    metric: SlaMetric;
    item_id: string;
    started_at: string;
    stopped_at: string;
    target_minutes: number;
    calendar: BusinessCalendar | null;
  }>(sql`
    with p as (${clientPeriods(input.clients)})
    select c.client_id, c.priority, c.metric, c.item_id, c.started_at, c.stopped_at, c.target_minutes,
      ${sql.raw(clockCalendarSql("c"))} as calendar
    from p
    join sla_clocks c on c.agency_id = ${scope.agencyId} and c.client_id = p.client_id
      and c.started_at >= p.from_at and c.started_at < p.to_at
    where c.stopped_at <= c.due_at and c.client_side_ms > 0`);
  return rows
    .filter(
      (row) =>
        businessMinutesBetween(new Date(row.started_at), new Date(row.stopped_at), calendarOfClock(row)) >
        row.target_minutes,
    )
    .map((row) => ({ clientId: row.client_id, priority: row.priority, metric: row.metric, itemId: row.item_id }));
}

export interface ClockEvidenceRow {
  itemId: string;
  channel: string;
  receivedAt: Date;
  priority: SlaPriority;
  metric: SlaMetric;
  dueAt: Date;
  stoppedAt: Date | null;
  businessMinutes: number;
  clientSideMinutes: number;
  met: boolean;
}

/**
 * One row per clock of the period (the evidence CSV), oldest first. Business minutes run from the
 * start to the stop (or `asOf` for a clock still running) on the clock's calendar, client-side time
 * excluded; `met` follows `excludeClientSideTime` like the aggregates.
 */
export async function findClockEvidence(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clientId: string; period: BillingPeriod; asOf: Date; excludeClientSideTime: boolean },
): Promise<ClockEvidenceRow[]> {
  const rows = await tx.execute<{
    item_id: string;
    channel: string;
    received_at: string;
    priority: SlaPriority;
    metric: SlaMetric;
    due_at: string;
    started_at: string;
    stopped_at: string | null;
    client_side_ms: string;
    target_minutes: number;
    calendar: BusinessCalendar | null;
  }>(sql`
    select c.item_id, ch.display_name as channel, i.received_at, c.priority, c.metric, c.due_at, c.started_at,
      c.stopped_at, c.client_side_ms, c.target_minutes, ${sql.raw(clockCalendarSql("c"))} as calendar
    from sla_clocks c
    join items i on i.id = c.item_id and i.agency_id = c.agency_id
    join channels ch on ch.id = i.channel_id
    where c.agency_id = ${scope.agencyId} and c.client_id = ${input.clientId}
      and c.started_at >= ${input.period.from.toISOString()} and c.started_at < ${input.period.to.toISOString()}
    order by c.started_at, c.item_id, c.metric`);
  return rows.map((row) => {
    const stoppedAt = row.stopped_at ? new Date(row.stopped_at) : null;
    const dueAt = new Date(row.due_at);
    const elapsed = businessMinutesBetween(new Date(row.started_at), stoppedAt ?? input.asOf, calendarOfClock(row));
    const clientSideMinutes = Number(row.client_side_ms) / 60_000;
    const businessMinutes = Math.max(0, elapsed - clientSideMinutes);
    const metOnTime = stoppedAt !== null && stoppedAt <= dueAt;
    return {
      itemId: row.item_id,
      channel: row.channel,
      receivedAt: new Date(row.received_at),
      priority: row.priority,
      metric: row.metric,
      dueAt,
      stoppedAt,
      businessMinutes,
      clientSideMinutes,
      met: input.excludeClientSideTime
        ? metOnTime
        : metOnTime && (clientSideMinutes === 0 || elapsed <= row.target_minutes),
    };
  });
}
