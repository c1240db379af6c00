/**
 * The rows every report is made of: one per customer item (the brand's own posts excluded) received in the
 * period, with what happened to it. Figures are aggregates over these rows and each figure's drill-down is the
 * same rows under the figure's predicate (`reportFigures`), so a drill-down lists exactly the items counted.
 *
 * Definitions (docs/ARCHITECTURE.md, "Reports"):
 * - the period is a range of local dates, each item judged in its own client's time zone;
 * - **acknowledged** = the first public reply of any kind the platform confirmed (`replies.status = 'sent'`),
 *   timed from when the customer wrote (`items.created_at`): the wait as the customer felt it;
 * - **useful answer** = the first confirmed reply that is not an acknowledgement (a reply or a follow-up, which
 *   carries the escalation's answer), timed the same way;
 * - **first response / resolution** = the item's SLA clocks (targets and calendars of the contract in force at
 *   arrival): met when stopped by the due time, breached when stopped late or past due and still running;
 *   their durations are the clocks' elapsed real time, pauses (waiting on the client) left out;
 * - **escalated** = at least one escalation; the client's answer time runs from the first escalation to its
 *   first answer;
 * - **handled** = a moderator took a handling action on the item (a reply queued or sent for approval, hide, delete,
 *   no action, escalation: staffing's list); **handling time** = staffing's measured claims (claim → the same
 *   moderator's handling action, an hour at most), summed per item;
 * - **in hours** = received within the client's business hours in force then (the versions billing's out-of-hours
 *   count reads; a client without hours is covered around the clock);
 * - **open** (the backlog) = from arrival until the first handling action by anyone (the triage flow included); an
 *   item without one stays open while queued or claimed.
 */

import { uuid } from "@parley/contracts";
import { localDate } from "@parley/contracts/billing";
import { type Executor, schema, uuidArray } from "@parley/db";
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Scope } from "../kernel/scope";
import { auditItemId, handledClaims, handlingActionEvent } from "../staffing/handling-times";

export type ReportReader = Pick<Scope, "agencyId" | "clientIds">;

/** The longest period one report spans. */
export const maxReportDays = 366;

const daysBetween = (from: string, to: string) =>
  (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 864e5;

export const reportFilters = z
  .object({
    from: localDate.describe("the first local date of the period (in each client's time zone)"),
    to: localDate.describe("the last local date of the period, included"),
    clientIds: z.array(uuid).min(1).max(100).optional().describe("default: every client you can see"),
    channelIds: z.array(uuid).min(1).max(100).optional(),
    priorities: z.array(z.enum(schema.itemPriorities)).min(1).optional(),
    moderatorId: uuid.optional().describe("only items the moderator replied to (a confirmed reply)"),
  })
  .superRefine((filters, context) => {
    const days = daysBetween(filters.from, filters.to);
    if (days < 0) context.addIssue({ code: "custom", path: ["to"], message: "must be on or after `from`" });
    else if (days >= maxReportDays) {
      context.addIssue({
        code: "custom",
        path: ["to"],
        message: `must be less than ${maxReportDays} days after \`from\``,
      });
    }
  });
export type ReportFilters = z.infer<typeof reportFilters>;

/** The figures a report counts, each with the predicate that picks its items out of the report's rows. */
export const reportFigures = {
  items_in: sql`true`,
  acknowledged: sql`r.acknowledged_at is not null`,
  not_acknowledged: sql`r.acknowledged_at is null`,
  useful_answer: sql`r.useful_answer_at is not null`,
  first_response_met: sql`r.first_response_state = 'met'`,
  first_response_breached: sql`r.first_response_state = 'breached'`,
  resolution_met: sql`r.resolution_state = 'met'`,
  resolution_breached: sql`r.resolution_state = 'breached'`,
  hidden: sql`r.moderation_action = 'hide'`,
  deleted: sql`r.moderation_action = 'delete'`,
  no_action: sql`r.status = 'no_action'`,
  escalated: sql`r.escalated_at is not null`,
  handled: sql`cardinality(r.handlers) > 0`,
  handling_measured: sql`r.handling_seconds is not null`,
} satisfies Record<string, SQL>;
export type ReportFigure = keyof typeof reportFigures;
export const reportFigureNames = Object.keys(reportFigures) as [ReportFigure, ...ReportFigure[]];

/**
 * A clock's standing whatever the time: `met` or `breached` once stopped; `paused` while waiting on the client; else
 * `running`. Null when the item has no such clock. Item facts keep it; `clockState` judges it at the report's instant.
 */
function clockStanding(clock: "fr" | "res"): SQL {
  const c = sql.raw(clock);
  return sql`case
    when ${c}.id is null then null
    when ${c}.stopped_at is not null then
      case when ${c}.met is not false and ${c}.stopped_at <= ${c}.due_at then 'met' else 'breached' end
    when exists (select 1 from jsonb_array_elements(${c}.pauses) pause where pause ->> 1 is null) then 'paused'
    else 'running' end`;
}

/**
 * A clock's state at `now`, as the client's SLA month judges it (`f` a row of facts): its standing, a running clock
 * past due breached, a paused one running.
 */
function clockState(clock: "first_response" | "resolution", now: SQL): SQL {
  const standing = sql.raw(`f.${clock}_standing`);
  const due = sql.raw(`f.${clock}_due_at`);
  return sql`case ${standing} when 'paused' then 'running'
    when 'running' then case when ${now} > ${due} then 'breached' else 'running' end
    else ${standing} end`;
}

/** A stopped clock's elapsed real time in seconds, the time spent waiting on the client left out. */
function clockSeconds(clock: "fr" | "res"): SQL {
  const c = sql.raw(clock);
  return sql`case when ${c}.stopped_at is null then null
    else extract(epoch from ${c}.stopped_at - ${c}.started_at)::float8 - ${c}.client_side_ms / 1000.0 end`;
}

/**
 * How the report's statements are planned, for the rest of the transaction: a client's month of rows (40,000 items)
 * is sorted and kept in memory rather than spilled to disk; no parallel workers, whose start-up (70 ms on 2 busy
 * cores) outweighed the few rows they would share out (the waiting items, for the backlog); and index probes priced as
 * the cached reads they are: at the default cost the planner read every clock, reply and delivery of the agency (4M
 * clock rows at 2M items) to hash them against a 40,000-item month rather than probing each item's (4.0 s -> 2.2 s of
 * execution for that month).
 */
export async function useReportPlanning(tx: Executor): Promise<void> {
  await tx.execute(sql`select set_config('work_mem', '64MB', true), set_config('max_parallel_workers_per_gather', '0', true),
    set_config('random_page_cost', '1.1', true)`);
}

/** Which items the rows are: those received in the period, or those that may be open at one of its points. */
export type ReportRowsSelection = "received" | "backlog";

/** Instants `[from, to)` as epoch milliseconds; `from` may be `-Infinity` (since ever). */
export interface Span {
  from: number;
  to: number;
}

/** A client's period as instants, and the spans of its UTC days whose item facts are fresh (oldest first). */
export interface ReportPeriod {
  clientId: string;
  /** Its first local midnight to the one after its last day. */
  from: Date;
  to: Date;
  factSpans: readonly Span[];
}

export interface ReportRowsOptions {
  /** `(client_id, hours)`: each client's business hours over the period as a multirange (`businessHoursRelation`). */
  businessHours?: SQL;
  selection?: ReportRowsSelection;
  /** Each client's period: ranges of the items' and facts' client-arrival indexes the planner can count rows in. */
  periods: ReadonlyArray<ReportPeriod>;
  /**
   * A page of the rows, newest arrival first: those that arrived before `before` (a cursor's item), and, with
   * `limit`, only that many of them (for a caller that keeps every row it reads: the rest are never built).
   */
  page?: { before?: { receivedAt: string; id: string }; limit?: number };
  /** Also `backlog_rows`: the items the backlog counts, for a statement that reads both. */
  backlog?: boolean;
  /**
   * How the fact spans' items are read: as rows of `item_facts` (the default), or not at all, by a statement that reads
   * their stored cells instead (`report_cells`; `backlog_rows` then reads `report_backlog_cells`).
   */
  facts?: "rows" | "cells";
}

/**
 * Each client's business hours over the period as a relation `(client_id uuid, hours tstzmultirange)`: null hours
 * (no version with hours) cover every instant.
 */
export function businessHoursRelation(entries: ReadonlyArray<{ clientId: string; hours: string | null }>): SQL {
  if (entries.length === 0) return sql`select null::uuid as client_id, null::tstzmultirange as hours where false`;
  const rows = entries.map((entry) => sql`(${entry.clientId}::uuid, ${entry.hours}::tstzmultirange)`);
  return sql`select * from (values ${sql.join(rows, sql`, `)}) as v(client_id, hours)`;
}

/** The instant a local date (and hour) ends in the row's client's zone: a backlog point. */
export function localEndOf(date: SQL, hour: SQL | null): SQL {
  const hours = hour === null ? sql`24` : sql`${hour} + 1`;
  return sql`((${date})::date::timestamp + make_interval(hours => ${hours})) at time zone r.time_zone`;
}

/** Open at `at`: received by then and not yet handled. */
export const isOpenAt = (at: SQL) => sql`r.received_at <= ${at} and r.open_until > ${at}`;

/**
 * When an item stops being open (the backlog): once handled (never before it arrived); never, while it waits
 * unhandled in a queue or a claim; at once, when it was closed without a handling action. `i` is the item and
 * `handling` its row of `item_handling`.
 */
const openUntil = sql`case when handling.handled_at is not null then greatest(i.received_at, handling.handled_at)
  when i.status in ('queued', 'claimed') then 'infinity'::timestamptz
  else i.received_at end`;

/** `window` cut into what lies outside the fact spans (built live) and inside them (read from facts), in order. */
export function splitByFacts(window: Span, factSpans: readonly Span[]): { live: Span[]; facts: Span[] } {
  const live: Span[] = [];
  const facts: Span[] = [];
  let at = window.from;
  for (const span of factSpans) {
    const from = Math.max(span.from, window.from);
    const to = Math.min(span.to, window.to);
    if (to <= from) continue;
    if (from > at) live.push({ from: at, to: from });
    facts.push({ from, to });
    at = to;
  }
  if (window.to > at) live.push({ from: at, to: window.to });
  return { live, facts };
}

const instant = (ms: number) =>
  ms === Number.NEGATIVE_INFINITY ? sql`'-infinity'::timestamptz` : sql`${new Date(ms).toISOString()}::timestamptz`;

/** The spans of each period a selection reads, built live or from facts. */
function spansOf(
  periods: readonly ReportPeriod[],
  selection: ReportRowsSelection,
  source: "live" | "facts",
  since?: number,
): Array<{ clientId: string; spans: Span[] }> {
  return periods.map((period) => {
    const from = selection === "received" ? period.from.getTime() : Number.NEGATIVE_INFINITY;
    const window = { from: Math.max(from, since ?? from), to: period.to.getTime() };
    return { clientId: period.clientId, spans: splitByFacts(window, period.factSpans)[source] };
  });
}

/**
 * Rows (alias `alias`) of those clients within one of their spans, `within` being the condition of one span; `false`
 * when there are none.
 */
function withinClientSpans(
  alias: "i" | "f" | "c" | "s",
  spans: ReadonlyArray<{ clientId: string; spans: readonly Span[] }>,
  within: (a: SQL, span: Span) => SQL,
): SQL {
  const a = sql.raw(alias);
  const clients = spans
    .filter((client) => client.spans.length > 0)
    .map(
      (client) =>
        sql`(${a}.client_id = ${client.clientId} and (${sql.join(
          client.spans.map((span) => within(a, span)),
          sql` or `,
        )}))`,
    );
  return clients.length > 0 ? sql`(${sql.join(clients, sql` or `)})` : sql`false`;
}

/** Rows (alias `alias`) of those clients received within their spans; `false` when there are none. */
const receivedWithin = (alias: "i" | "f", spans: ReadonlyArray<{ clientId: string; spans: Span[] }>) =>
  withinClientSpans(
    alias,
    spans,
    (a, span) => sql`(${a}.received_at >= ${instant(span.from)} and ${a}.received_at < ${instant(span.to)})`,
  );

/**
 * When the work read begins: two days before the period (the backlog's older items handled since), or, later, the
 * first arrival among the items built live (each item's work comes after it arrived), so reading a period whose days
 * are all facts reads no audit trail at all. Each span's first arrival is one index probe.
 */
function workSinceQuery(reader: ReportReader, live: ReadonlyArray<{ clientId: string; spans: Span[] }>, since: Date) {
  const firsts = live.flatMap((client) =>
    client.spans.map(
      (span) => sql`(select min(i.received_at) from items i where i.agency_id = ${reader.agencyId}
        and i.client_id = ${client.clientId} and not i.by_brand
        and i.received_at >= ${instant(span.from)} and i.received_at < ${instant(span.to)})`,
    ),
  );
  return sql`select greatest(${since.toISOString()}::timestamptz,
    least(${sql.join([...firsts, sql`'infinity'::timestamptz`], sql`, `)})) as at`;
}

/** Two days before the period (UTC midnight): the backlog counts older items handled since. */
const workSinceOf = (filters: Pick<ReportFilters, "from">) =>
  new Date(Date.parse(`${filters.from}T00:00:00Z`) - 2 * 864e5);

/** The filters every selection applies to an item (alias `i`) or its facts (alias `f`). */
function filterConditions(alias: "i" | "f", filters: ReportFilters, page: ReportRowsOptions["page"]): SQL[] {
  const a = sql.raw(alias);
  const conditions = channelAndPriorityFilters(alias, filters);
  const before = page?.before;
  if (before)
    conditions.push(sql`(${a}.received_at, ${a}.id) < (${before.receivedAt}::timestamptz, ${before.id}::uuid)`);
  return conditions;
}

const pageOrder = (alias: "i" | "f", limit: number | undefined) =>
  limit === undefined
    ? sql``
    : sql`order by ${sql.raw(alias)}.received_at desc, ${sql.raw(alias)}.id desc limit ${limit}`;

/** The items (alias `i`) of a selection outside the fact spans, within the filters (and the page). */
function liveItemConditions(
  reader: ReportReader,
  filters: ReportFilters,
  selection: ReportRowsSelection,
  options: Pick<ReportRowsOptions, "periods" | "page">,
): SQL[] {
  return [
    sql`i.agency_id = ${reader.agencyId}`,
    sql`not i.by_brand`,
    // Each client's spans as instants: ranges the planner can count rows in, where it cannot guess how many a
    // zone-shifted comparison keeps (and, guessing one, would rebuild the work tables per item).
    receivedWithin("i", spansOf(options.periods, selection, "live")),
    ...filterConditions("i", filters, options.page),
  ];
}

/** How many of the period's items (within the filters, the moderator's aside) lie outside its fact spans. */
export function liveItemCount(reader: ReportReader, filters: ReportFilters, periods: ReadonlyArray<ReportPeriod>): SQL {
  return sql`select count(*) from items i
    where ${sql.join(liveItemConditions(reader, filters, "received", { periods }), sql` and `)}`;
}

/**
 * The items a report builds live (alias `i`): the period's (`received`), or those that may be open at one of its points
 * (`backlog`: received by the period's end, and received since the work read began, still waiting, or handled since
 * then), outside the fact spans. The backlog's are picked out of those sets, each read from its own index (a client's
 * arrivals since the work began, the queued and the claimed items — one partial index each — and the handled ones),
 * not by a test on every item the clients ever received.
 */
function selectedItemsQuery(
  reader: ReportReader,
  filters: ReportFilters,
  selection: ReportRowsSelection,
  options: Pick<ReportRowsOptions, "periods" | "page">,
  workSince: Date,
): SQL {
  const conditions: SQL[] = liveItemConditions(reader, filters, selection, options);
  let candidates = sql``;
  if (selection === "backlog") {
    const clients = uuidArray(options.periods.map((period) => period.clientId));
    candidates = sql`join (
        select i.id from items i where i.agency_id = ${reader.agencyId} and not i.by_brand
          and ${receivedWithin("i", spansOf(options.periods, selection, "live", workSince.getTime()))}
        union
        select i.id from items i where i.agency_id = ${reader.agencyId} and i.client_id = any(${clients})
          and i.status = 'queued'
        union
        select i.id from items i where i.agency_id = ${reader.agencyId} and i.client_id = any(${clients})
          and i.status = 'claimed'
        union
        select handling.item_id from item_handling handling
      ) candidate on candidate.id = i.id`;
  }
  if (filters.moderatorId) {
    conditions.push(sql`exists (select 1 from replies m where m.agency_id = i.agency_id and m.item_id = i.id
      and m.status = 'sent' and m.author_user_id = ${filters.moderatorId})`);
  }
  return sql`select i.id, i.agency_id, i.client_id, i.channel_id, i.customer_id, i.author_handle, i.category_key, i.tags,
      i.priority, i.status, i.moderation_action, i.created_at, i.received_at
    from items i
    ${candidates}
    where ${sql.join(conditions, sql` and `)}
    ${pageOrder("i", options.page?.limit)}`;
}

/** The UTC date of an instant (epoch milliseconds). */
export const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Rows (alias `alias`, with a UTC `day`) of the periods' clients on a day of their fact spans; `false` when none. */
export const onFactDays = (alias: "c" | "s", periods: ReadonlyArray<ReportPeriod>) =>
  withinClientSpans(
    alias,
    periods.map((period) => ({ clientId: period.clientId, spans: period.factSpans })),
    (a, span) => sql`(${a}.day >= ${utcDate(span.from)}::date and ${a}.day < ${utcDate(span.to)}::date)`,
  );

/**
 * The backlog cells (alias `s`) of the fact spans whose items may be open since the work read began (an item received
 * after the period is open at none of its points: the last day's later arrivals count nowhere).
 */
function storedBacklogWhere(
  reader: ReportReader,
  filters: ReportFilters,
  periods: ReadonlyArray<ReportPeriod>,
  workSince: Date,
): SQL {
  const conditions: SQL[] = [
    sql`s.agency_id = ${reader.agencyId}`,
    sql`s.client_id = any(${uuidArray(periods.map((period) => period.clientId))})`,
    sql`s.open_until_latest > ${workSince.toISOString()}::timestamptz`,
    onFactDays("s", periods),
    ...channelAndPriorityFilters("s", filters),
  ];
  return sql.join(conditions, sql` and `);
}

/** The channel and priority filters on items, facts or cells (alias `alias`). */
export function channelAndPriorityFilters(alias: "i" | "f" | "c" | "s", filters: ReportFilters): SQL[] {
  const a = sql.raw(alias);
  const conditions: SQL[] = [];
  if (filters.channelIds) conditions.push(sql`${a}.channel_id = any(${uuidArray(filters.channelIds)})`);
  if (filters.priorities) {
    conditions.push(sql`${a}.priority::text = any(${`{${filters.priorities.join(",")}}`}::text[])`);
  }
  return conditions;
}

/** The columns of `item_facts`, in its order: what `live_facts` builds and `stored_facts` reads. */
export const itemFactColumnNames = [
  "id",
  "agency_id",
  "client_id",
  "channel_id",
  "customer_id",
  "author_handle",
  "category_key",
  "tags",
  "priority",
  "status",
  "moderation_action",
  "created_at",
  "received_at",
  "acknowledged_at",
  "useful_answer_at",
  "replies_sent",
  "moderator_ids",
  "first_response_due_at",
  "first_response_at",
  "first_response_standing",
  "first_response_seconds",
  "resolution_due_at",
  "resolved_at",
  "resolution_standing",
  "resolution_seconds",
  "escalated_at",
  "escalation_answered_at",
  "delivery_status",
  "handled_at",
  "handlers",
  "handling_seconds",
  "open_until",
  "claim_moderator_ids",
  "claim_seconds",
  "work_moderator_ids",
  "work_hours",
] as const;
export const itemFactColumns = sql.raw(itemFactColumnNames.join(", "));

/**
 * The facts (alias `f`) a report reads instead of building them: the fact spans' rows of the period (`received`), or
 * of the items ever open since the work read began (`backlog`, through `item_facts_client_open_idx`).
 */
function storedFactsQuery(
  reader: ReportReader,
  filters: ReportFilters,
  selection: ReportRowsSelection,
  options: Pick<ReportRowsOptions, "periods" | "page">,
  workSince: Date,
): SQL {
  const conditions: SQL[] = [
    sql`f.agency_id = ${reader.agencyId}`,
    receivedWithin("f", spansOf(options.periods, selection, "facts")),
    ...filterConditions("f", filters, options.page),
  ];
  if (selection === "backlog") {
    conditions.push(sql`f.open_until > f.received_at and f.open_until > ${workSince.toISOString()}::timestamptz`);
  }
  if (filters.moderatorId) conditions.push(sql`${filters.moderatorId}::uuid = any(f.moderator_ids)`);
  return sql`select ${itemFactColumns} from item_facts f where ${sql.join(conditions, sql` and `)}
    ${pageOrder("f", options.page?.limit)}`;
}

/**
 * The work tables and each live item's facts, as common table expressions ending with `live_facts` (the columns of
 * `item_facts`): the one definition of every settled column, which reports build for the days without facts and the
 * facts sweep writes. `handled_claims` (staffing's measured claims) and `item_work` (claims and handling actions, by
 * item) read the audit events of the report's clients since the work read begins (`workSinceQuery`), materialized: the
 * planner, misjudging how many items the period holds, would otherwise rebuild them for every item (9 s instead of
 * 0.1 s for one demo client's month). Then `selected_items`, the live items, materialized once; each item's replies,
 * escalations and latest delivery are grouped by item over those items alone (one index probe per item), not read by
 * a lateral subquery per row, and a statement that reads none of their columns drops their joins.
 */
export function itemFactsCtes(reader: ReportReader, filters: ReportFilters, options: ReportRowsOptions): SQL {
  const clientIds = filters.clientIds ?? reader.clientIds;
  const selection = options.selection ?? "received";
  const workSince = workSinceOf(filters);
  const built = options.backlog || selection === "backlog" ? "backlog" : "received";
  // The work on the report's clients' items only: every claim and handling action is audited with its item's client.
  const work = sql`e.created_at >= (${workSinceQuery(reader, spansOf(options.periods, built, "live"), workSince)})${
    clientIds ? sql` and e.client_id = any(${uuidArray(clientIds)})` : sql``
  }`;
  return sql`with handled_claims as materialized (
    ${handledClaims(reader.agencyId, work)}
  ), item_work as materialized (
    select ${auditItemId} as item_id, e.actor_user_id, e.created_at, ${handlingActionEvent} as handling
    from audit_events e
    where e.agency_id = ${reader.agencyId} and ${work}
      and (${handlingActionEvent} or e.action = 'item.claimed')
  ), item_handling as materialized (
    select w.item_id, min(w.created_at) filter (where w.handling) as handled_at,
      coalesce(array_agg(distinct w.actor_user_id) filter (where w.handling and w.actor_user_id is not null), '{}')
        as handlers
    from item_work w where w.item_id is not null group by w.item_id
  ), item_claims as materialized (
    select item_id, sum(seconds)::float8 as handling_seconds,
      array_agg(moderator_id order by claimed_at) as moderator_ids, array_agg(seconds order by claimed_at) as seconds
    from handled_claims group by item_id
  ), item_hours as materialized (
    select item_id, array_agg(actor_user_id order by hour, actor_user_id) as moderator_ids,
      array_agg(hour order by hour, actor_user_id) as hours
    from (select distinct w.item_id, w.actor_user_id, date_trunc('hour', w.created_at) as hour
      from item_work w where w.item_id is not null and w.actor_user_id is not null) pairs
    group by item_id
  ), selected_items as materialized (
    ${selectedItemsQuery(reader, filters, selection, options, workSince)}
  ), item_answers as (
    select p.item_id, min(p.sent_at) as acknowledged_at,
      min(p.sent_at) filter (where p.kind <> 'acknowledgement') as useful_answer_at,
      count(*)::int as replies_sent,
      coalesce(array_agg(distinct p.author_user_id) filter (where p.author_user_id is not null), '{}') as moderator_ids
    from selected_items s
    join replies p on p.agency_id = s.agency_id and p.item_id = s.id
    where p.status = 'sent'
    group by p.item_id
  ), item_escalations as (
    select e.item_id, min(e.created_at) as escalated_at, min(e.answered_at) as answered_at
    from selected_items s join escalations e on e.agency_id = s.agency_id and e.item_id = s.id
    group by e.item_id
  ), item_deliveries as (
    select distinct on (d.item_id) d.item_id, d.status
    from selected_items s join outbound_deliveries d on d.agency_id = s.agency_id and d.item_id = s.id
    order by d.item_id, d.created_at desc
  ), live_facts as (
    select i.id, i.agency_id, i.client_id, i.channel_id, i.customer_id, i.author_handle, i.category_key, i.tags,
      i.priority, i.status, i.moderation_action, i.created_at, i.received_at,
      answers.acknowledged_at, answers.useful_answer_at, coalesce(answers.replies_sent, 0) as replies_sent,
      coalesce(answers.moderator_ids, '{}') as moderator_ids,
      fr.due_at as first_response_due_at, fr.stopped_at as first_response_at,
      ${clockStanding("fr")} as first_response_standing, ${clockSeconds("fr")} as first_response_seconds,
      res.due_at as resolution_due_at, res.stopped_at as resolved_at,
      ${clockStanding("res")} as resolution_standing, ${clockSeconds("res")} as resolution_seconds,
      esc.escalated_at, esc.answered_at as escalation_answered_at, delivery.status as delivery_status,
      handling.handled_at, coalesce(handling.handlers, '{}') as handlers, claims.handling_seconds,
      ${openUntil} as open_until,
      coalesce(claims.moderator_ids, '{}') as claim_moderator_ids, coalesce(claims.seconds, '{}') as claim_seconds,
      coalesce(hours.moderator_ids, '{}') as work_moderator_ids, coalesce(hours.hours, '{}') as work_hours
    from selected_items i
    left join item_handling handling on handling.item_id = i.id
    left join item_claims claims on claims.item_id = i.id
    left join item_hours hours on hours.item_id = i.id
    left join item_answers answers on answers.item_id = i.id
    left join sla_clocks fr on fr.agency_id = i.agency_id and fr.item_id = i.id and fr.metric = 'first_response'
    left join sla_clocks res on res.agency_id = i.agency_id and res.item_id = i.id and res.metric = 'resolution'
    left join item_escalations esc on esc.item_id = i.id
    left join item_deliveries delivery on delivery.item_id = i.id
  )`;
}

/**
 * The report's rows as a common table expression named `r` (prefix a statement with it; more CTEs may follow
 * after a comma), within the reader's clients and the filters (whose clients the caller checked the reader sees).
 * Every column a figure, a chart or the export reads is here: each item's facts, built live (`itemFactsCtes`) outside
 * the periods' fact spans and read from `item_facts` inside them, then what is judged when read — a running clock
 * against `now`, local dates and hours in the client's zone, business hours, the client's, channel's and moderators'
 * names. With `backlog`, `backlog_rows` follows `r`: `(time_zone, received_at, open_until)` of the items ever open
 * in the backlog's selection (inside the fact spans, from their facts or, with `facts: "cells"`, their backlog
 * cells), so one statement reads a report's figures, work and backlog over the same work tables, built once.
 */
export function reportRowsCte(
  reader: ReportReader,
  filters: ReportFilters,
  now: Date,
  options: ReportRowsOptions,
): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const workSince = workSinceOf(filters);
  const businessHours = options.businessHours ?? businessHoursRelation([]);
  const storedBacklog =
    options.facts === "cells"
      ? sql`select c.time_zone, b.received_at, b.open_until
        from report_backlog_cells s
        join clients c on c.id = s.client_id and c.agency_id = s.agency_id
        cross join lateral unnest(s.received_at, s.open_until) as b(received_at, open_until)
        where ${storedBacklogWhere(reader, filters, options.periods, workSince)}`
      : sql`select c.time_zone, f.received_at, f.open_until
        from (${storedFactsQuery(reader, filters, "backlog", { periods: options.periods }, workSince)}) f
        join clients c on c.id = f.client_id and c.agency_id = f.agency_id`;
  const backlogRows = options.backlog
    ? sql`, backlog_rows as materialized (
        select c.time_zone, i.received_at, ${openUntil} as open_until
        from (${selectedItemsQuery(reader, filters, "backlog", { periods: options.periods }, workSince)}) i
        join clients c on c.id = i.client_id and c.agency_id = i.agency_id
        left join item_handling handling on handling.item_id = i.id
        union all
        ${storedBacklog}
      )`
    : sql``;
  const selection = options.selection ?? "received";
  const storedFacts =
    options.facts === "cells"
      ? sql`select ${itemFactColumns} from item_facts where false`
      : storedFactsQuery(reader, filters, selection, options, workSince);
  return sql`${itemFactsCtes(reader, filters, options)}, stored_facts as (
    ${storedFacts}
  ), business_hours as (${businessHours}), r as (
    select f.id, f.client_id, c.name as client_name, c.time_zone, f.channel_id, ch.display_name as channel_name,
      ch.platform, f.customer_id, f.author_handle, f.category_key, f.tags, f.priority, f.status, f.moderation_action,
      f.created_at, f.received_at, (f.received_at at time zone c.time_zone)::date as local_date,
      date_part('hour', f.received_at at time zone c.time_zone)::int as local_hour, -- extract's numeric costs more
      coalesce(bh.hours @> f.received_at, true) as in_hours,
      f.acknowledged_at, f.useful_answer_at, f.replies_sent,
      names.moderators,
      f.first_response_due_at, f.first_response_at, f.first_response_standing,
      ${clockState("first_response", at)} as first_response_state, f.first_response_seconds, f.resolution_due_at,
      f.resolved_at, f.resolution_standing, ${clockState("resolution", at)} as resolution_state, f.resolution_seconds,
      f.escalated_at, f.escalation_answered_at, f.delivery_status, f.handled_at, f.handlers, f.handling_seconds,
      f.open_until, f.claim_moderator_ids, f.claim_seconds, f.work_moderator_ids, f.work_hours
    from (select ${itemFactColumns} from live_facts union all select ${itemFactColumns} from stored_facts) f
    join clients c on c.id = f.client_id and c.agency_id = f.agency_id
    join channels ch on ch.id = f.channel_id and ch.agency_id = f.agency_id
    left join business_hours bh on bh.client_id = f.client_id
    -- A lateral join: evaluated once a row however many cells read the names (a subquery in the select list ran
    -- at each reference, twice a row in the export), and dropped from a statement that reads none.
    left join lateral (
      select coalesce(array_agg(distinct u.name) filter (where u.name is not null), '{}') as moderators
      from users u where u.id = any(f.moderator_ids)
    ) names on true
  )${backlogRows} `;
}

/** Seconds from when the customer wrote to `column`. */
export const secondsToAnswer = (column: "acknowledged_at" | "useful_answer_at") =>
  sql.raw(`extract(epoch from r.${column} - r.created_at)::float8`);
