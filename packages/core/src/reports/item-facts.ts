/**
 * Item facts: a report's settled rows, per client and UTC day (docs/ARCHITECTURE.md, "Reports"). A client's month of
 * report rows is otherwise rebuilt at every read from items, replies, deliveries, clocks, escalations and the audit
 * trail, scattered over six big tables' pages (~1.8 s of a 40,000-item month). Once a day is settled (it ended a day
 * ago), the facts sweep writes its items' facts with the statement reports build them with (`itemFactsCtes`: one
 * definition of each column), then the day's report cells from those facts (`report-cells.ts`), and lists the day in
 * `item_fact_days`; a later write on one of its items deletes the day from that list (triggers, migrations 0053 and
 * 0057), so reports read facts and cells only for fresh days and build the others live.
 * Nothing is added to ingest: a new item is received now, and only writes on items received more than 12 hours ago
 * mark a day.
 */
import { type Executor, uuidArray } from "@parley/db";
import { sql } from "drizzle-orm";
import { listCalendarVersions } from "../sla/business-hours";
import { businessHoursMultirange } from "../sla/period-aggregates";
import {
  backlogCellsOf,
  figureCellsOf,
  moderatorCellsOf,
  reportBacklogCellColumns,
  reportCellColumns,
  reportCellRows,
  reportModeratorCellColumns,
} from "./report-cells";
import {
  businessHoursRelation,
  itemFactColumnNames,
  itemFactColumns,
  itemFactsCtes,
  type ReportReader,
  reportRowsCte,
  type Span,
  useReportPlanning,
  utcDate,
} from "./report-rows";

const dayMs = 864e5;

const replaced = sql.raw(itemFactColumnNames.map((column) => `excluded.${column}`).join(", "));

/** How many of a client's days one materialization writes at most (one statement, one read of their work). */
export const factDaysPerRun = 31;

/** Each client's fresh fact days up to `until` as spans of instants (consecutive days merged), oldest first. */
export async function findFactSpans(
  reader: ReportReader,
  tx: Executor,
  input: { clientIds: readonly string[]; until: Date },
): Promise<Map<string, Span[]>> {
  const rows = await tx.execute<{ client_id: string; first: string; last: string }>(sql`
    select client_id, min(day)::text as first, max(day)::text as last
    from (
      select client_id, day, day - (row_number() over (partition by client_id order by day))::int as island
      from item_fact_days
      where agency_id = ${reader.agencyId} and client_id = any(${uuidArray([...input.clientIds])})
        and day <= ${utcDate(input.until.getTime())}::date
    ) days
    group by client_id, island
    order by client_id, first`);
  const spans = new Map<string, Span[]>();
  for (const row of rows) {
    const list = spans.get(row.client_id) ?? [];
    list.push({ from: Date.parse(`${row.first}T00:00:00Z`), to: Date.parse(`${row.last}T00:00:00Z`) + dayMs });
    spans.set(row.client_id, list);
  }
  return spans;
}

/**
 * Writes the facts of one client's next settled days without fresh facts (from its first item's day to the day
 * before yesterday, UTC, at most `factDaysPerRun` consecutive ones): returns how many days, 0 when none is due or
 * another writer holds the client (the sweep comes back). The client's advisory lock, taken exclusively before the
 * read, orders it with the writes that mark days stale (they take it shared): a write the read did not see marks its
 * day after this commits.
 */
export async function materializeClientFacts(
  tx: Executor,
  input: { agencyId: string; clientId: string; now: Date },
): Promise<number> {
  const { agencyId, clientId } = input;
  const [locked] = await tx.execute<{ locked: boolean }>(
    sql`select pg_try_advisory_xact_lock(parley_item_facts_lock(${clientId}::uuid)) as locked`,
  );
  if (!locked?.locked) return 0;
  const lastDay = utcDate(input.now.getTime() - 2 * dayMs);
  const due = await tx.execute<{ day: string }>(sql`
    select s.day::date::text as day
    from generate_series(
      (select (min(i.received_at) at time zone 'UTC')::date from items i
        where i.agency_id = ${agencyId} and i.client_id = ${clientId} and not i.by_brand),
      ${lastDay}::date, interval '1 day') as s(day)
    where not exists (select 1 from item_fact_days d
      where d.agency_id = ${agencyId} and d.client_id = ${clientId} and d.day = s.day::date)
    order by s.day limit ${factDaysPerRun}`);
  // The first run of consecutive days among them.
  const first = due[0]?.day;
  if (!first) return 0;
  const days = due.map((row) => row.day).filter((day, index) => Date.parse(day) === Date.parse(first) + index * dayMs);
  const last = days.at(-1) ?? first;
  await useReportPlanning(tx);
  const from = new Date(`${first}T00:00:00Z`);
  const to = new Date(Date.parse(`${last}T00:00:00Z`) + dayMs);
  // The days' old facts go; an item that moved here from another client-day has its facts (keyed by id) replaced.
  await tx.execute(sql`delete from item_facts f where f.agency_id = ${agencyId} and f.client_id = ${clientId}
    and f.received_at >= ${from.toISOString()}::timestamptz and f.received_at < ${to.toISOString()}::timestamptz`);
  await tx.execute(sql`
    ${itemFactsCtes(
      { agencyId, clientIds: [clientId] },
      { from: first, to: last, clientIds: [clientId] },
      { periods: [{ clientId, from, to, factSpans: [] }] },
    )}
    insert into item_facts (${itemFactColumns}) select ${itemFactColumns} from live_facts
    on conflict (id) do update set (${itemFactColumns}) = row(${replaced})`);
  await tx.execute(sql`insert into item_fact_days (agency_id, client_id, day)
    select ${agencyId}, ${clientId}, s.day::date
    from generate_series(${first}::date, ${last}::date, interval '1 day') as s(day)`);
  await writeReportCells(tx, { agencyId, clientId, now: input.now, first, last, from, to });
  return days.length;
}

/**
 * Writes the report cells of a client's days whose facts were just written: the report's rows of those days, read
 * from the facts in the client's zone and business hours, as cells (`figureCellsOf`, `moderatorCellsOf`,
 * `backlogCellsOf`).
 */
async function writeReportCells(
  tx: Executor,
  input: { agencyId: string; clientId: string; now: Date; first: string; last: string; from: Date; to: Date },
): Promise<void> {
  const { agencyId, clientId, first, last, from, to } = input;
  for (const table of ["report_cells", "report_moderator_cells", "report_backlog_cells"]) {
    await tx.execute(sql`delete from ${sql.raw(table)} c where c.agency_id = ${agencyId} and c.client_id = ${clientId}
      and c.day between ${first}::date and ${last}::date`);
  }
  const calendars = await listCalendarVersions(tx, { clientIds: [clientId] });
  const period = { clientId, from, to, factSpans: [{ from: from.getTime(), to: to.getTime() }] };
  await tx.execute(sql`
    ${reportRowsCte({ agencyId, clientIds: [clientId] }, { from: first, to: last, clientIds: [clientId] }, input.now, {
      periods: [period],
      businessHours: businessHoursRelation([
        { clientId, hours: businessHoursMultirange(calendars.get(clientId) ?? [], from, to) },
      ]),
    })}, ${reportCellRows}, figure_cells as (
      ${figureCellsOf}
    ), figures as (
      insert into report_cells (agency_id, ${reportCellColumns}) select ${agencyId}, c.* from figure_cells c
    ), backlog as (
      insert into report_backlog_cells (agency_id, ${reportBacklogCellColumns})
      select ${agencyId}, b.* from (${backlogCellsOf}) b
    )
    insert into report_moderator_cells (agency_id, ${reportModeratorCellColumns})
    select ${agencyId}, m.* from (${moderatorCellsOf}) m`);
}
