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
import { schema, uuidArray } from "@parley/db";
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
 * A clock's standing at `now`, as the client's SLA month judges it: met or breached once stopped; breached when past
 * due and not paused (waiting on the client); else running. Null when the item has no such clock.
 */
function clockState(clock: "fr" | "res", now: SQL): SQL {
  const c = sql.raw(clock);
  return sql`case
    when ${c}.id is null then null
    when ${c}.stopped_at is not null then
      case when ${c}.met is not false and ${c}.stopped_at <= ${c}.due_at then 'met' else 'breached' end
    when exists (select 1 from jsonb_array_elements(${c}.pauses) pause where pause ->> 1 is null) then 'running'
    when ${now} > ${c}.due_at then 'breached'
    else 'running' end`;
}

/** A stopped clock's elapsed real time in seconds, the time spent waiting on the client left out. */
function clockSeconds(clock: "fr" | "res"): SQL {
  const c = sql.raw(clock);
  return sql`case when ${c}.stopped_at is null then null
    else extract(epoch from ${c}.stopped_at - ${c}.started_at)::float8 - ${c}.client_side_ms / 1000.0 end`;
}

/** Which items the rows are: those received in the period, or those that may be open at one of its points. */
export type ReportRowsSelection = "received" | "backlog";

export interface ReportRowsOptions {
  /** `(client_id, hours)`: each client's business hours over the period as a multirange (`businessHoursRelation`). */
  businessHours?: SQL;
  selection?: ReportRowsSelection;
  /** Each client's period as UTC instants (`[from, to)`: its first local midnight to the one after the last day). */
  periods?: ReadonlyArray<{ clientId: string; from: Date; to: Date }>;
  /**
   * A page of the rows, newest arrival first: those that arrived before `before` (a cursor's item), and, with
   * `limit`, only that many of them (for a caller that keeps every row it reads: the rest are never built).
   */
  page?: { before?: { receivedAt: string; id: string }; limit?: number };
  /** Also `backlog_rows` (needs `periods`): the items the backlog counts, for a statement that reads both. */
  backlog?: boolean;
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

/**
 * The items a report reads (alias `i`, with its client `c`): the period's (`received`), or those that may be open
 * at one of its points (`backlog`: received by the period's end, and received since the work read began, still
 * waiting, or handled since then). The backlog's are picked out of those sets, each read from its own index (a
 * client's arrivals since the work began, the queued and the claimed items — one partial index each — and the
 * handled ones), not by a test on every item the clients ever received.
 */
function selectedItemsQuery(
  reader: ReportReader,
  filters: ReportFilters,
  selection: ReportRowsSelection,
  options: Pick<ReportRowsOptions, "periods" | "page">,
  workSince: SQL,
): SQL {
  const clientIds = filters.clientIds ?? reader.clientIds;
  const periods = options.periods && options.periods.length > 0 ? options.periods : null;
  const conditions: SQL[] = [sql`i.agency_id = ${reader.agencyId}`, sql`not i.by_brand`];
  const limit = options.page?.limit;
  // Each client's period as instants: ranges the planner can count rows in, where it cannot guess how many the
  // zone-shifted comparison keeps (and, guessing one, would rebuild the work tables per item).
  const receivedIn = (since: (period: { from: Date }) => SQL) =>
    periods
      ? sql`(${sql.join(
          periods.map(
            (period) =>
              sql`(i.client_id = ${period.clientId} and i.received_at >= ${since(period)}
                and i.received_at < ${period.to.toISOString()}::timestamptz)`,
          ),
          sql` or `,
        )})`
      : null;
  let candidates = sql``;
  if (selection === "received") {
    conditions.push(
      receivedIn((period) => sql`${period.from.toISOString()}::timestamptz`) ??
        sql`(i.received_at at time zone c.time_zone) >= ${filters.from}::date
          and (i.received_at at time zone c.time_zone) < ${filters.to}::date + 1`,
    );
  } else if (periods) {
    conditions.push(receivedIn(() => sql`'-infinity'::timestamptz`) as SQL);
    const clients = uuidArray(periods.map((period) => period.clientId));
    candidates = sql`join (
        select i.id from items i where i.agency_id = ${reader.agencyId} and not i.by_brand
          and ${receivedIn(() => workSince)}
        union
        select i.id from items i where i.agency_id = ${reader.agencyId} and i.client_id = any(${clients})
          and i.status = 'queued'
        union
        select i.id from items i where i.agency_id = ${reader.agencyId} and i.client_id = any(${clients})
          and i.status = 'claimed'
        union
        select handling.item_id from item_handling handling
      ) candidate on candidate.id = i.id`;
  } else {
    conditions.push(
      sql`(i.received_at at time zone c.time_zone) < ${filters.to}::date + 1`,
      sql`(i.received_at >= ${workSince} or i.status in ('queued', 'claimed')
        or exists (select 1 from item_handling handling where handling.item_id = i.id))`,
    );
  }
  // Each period names its client; the same condition again would make the planner count its rows twice over.
  if (clientIds && !periods) conditions.push(sql`i.client_id = any(${uuidArray(clientIds)})`);
  if (filters.channelIds) conditions.push(sql`i.channel_id = any(${uuidArray(filters.channelIds)})`);
  if (filters.priorities) {
    conditions.push(sql`i.priority::text = any(${`{${filters.priorities.join(",")}}`}::text[])`);
  }
  const before = options.page?.before;
  if (before) conditions.push(sql`(i.received_at, i.id) < (${before.receivedAt}::timestamptz, ${before.id}::uuid)`);
  if (filters.moderatorId) {
    conditions.push(sql`exists (select 1 from replies m where m.agency_id = i.agency_id and m.item_id = i.id
      and m.status = 'sent' and m.author_user_id = ${filters.moderatorId})`);
  }
  return sql`select i.id, i.agency_id, i.client_id, c.name as client_name, c.time_zone, i.channel_id, i.customer_id,
      i.author_handle, i.category_key, i.tags, i.priority, i.status, i.moderation_action, i.created_at, i.received_at
    from items i
    join clients c on c.id = i.client_id and c.agency_id = i.agency_id
    ${candidates}
    where ${sql.join(conditions, sql` and `)}
    ${limit === undefined ? sql`` : sql`order by i.received_at desc, i.id desc limit ${limit}`}`;
}

/**
 * The report's rows as a common table expression named `r` (prefix a statement with it; more CTEs may follow
 * after a comma), within the reader's clients and the filters (whose clients the caller checked the reader sees).
 * Every column a figure, a chart or the export reads is here. Before `r`: `handled_claims` (staffing's measured
 * claims) and `item_work` (claims and handling actions, by item) over the audit events of the report's clients (when
 * it names them) since two days before the period, materialized: the planner, misjudging how many items the period holds, would otherwise rebuild them
 * for every item (9 s instead of 0.1 s for one demo client's month). Then `selected_items`, the period's items,
 * materialized once; each item's replies, escalations and latest delivery are grouped by item over those items alone
 * (one index probe per item), not read by a lateral subquery per row, and a statement that reads none of their
 * columns drops their joins (the backlog and the moderators' work read the items and the work only).
 * With `backlog` (and `periods`), `backlog_rows` follows `r`: `(id, time_zone, received_at, open_until)` of the items
 * ever open in the backlog's selection, so one statement reads a report's figures, work and backlog over the same
 * work tables, built once.
 */
export function reportRowsCte(
  reader: ReportReader,
  filters: ReportFilters,
  now: Date,
  options: ReportRowsOptions = {},
): SQL {
  const clientIds = filters.clientIds ?? reader.clientIds;
  const instant = sql`${now.toISOString()}::timestamptz`;
  const workSince = sql`(${filters.from}::date - 2)::timestamp at time zone 'UTC'`;
  const businessHours = options.businessHours ?? businessHoursRelation([]);
  // The work on the report's clients' items only: every claim and handling action is audited with its item's client.
  const work = clientIds
    ? sql`e.created_at >= ${workSince} and e.client_id = any(${uuidArray(clientIds)})`
    : sql`e.created_at >= ${workSince}`;
  const backlogRows = options.backlog
    ? sql`, backlog_rows as materialized (
        select i.id, i.time_zone, i.received_at, ${openUntil} as open_until
        from (${selectedItemsQuery(reader, filters, "backlog", { periods: options.periods }, workSince)}) i
        left join item_handling handling on handling.item_id = i.id
      )`
    : sql``;
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
    select item_id, sum(seconds)::float8 as handling_seconds from handled_claims group by item_id
  ), business_hours as (${businessHours}), selected_items as materialized (
    ${selectedItemsQuery(reader, filters, options.selection ?? "received", options, workSince)}
  ), item_answers as (
    select p.item_id, min(p.sent_at) as acknowledged_at,
      min(p.sent_at) filter (where p.kind <> 'acknowledgement') as useful_answer_at,
      count(*)::int as replies_sent,
      coalesce(array_agg(distinct u.name) filter (where u.name is not null), '{}') as moderators
    from selected_items s
    join replies p on p.agency_id = s.agency_id and p.item_id = s.id
    left join users u on u.id = p.author_user_id
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
  ), r as (
    select i.id, i.client_id, i.client_name, i.time_zone, i.channel_id, ch.display_name as channel_name,
      ch.platform, i.customer_id, i.author_handle, i.category_key, i.tags, i.priority, i.status, i.moderation_action,
      i.created_at, i.received_at, (i.received_at at time zone i.time_zone)::date as local_date,
      extract(hour from i.received_at at time zone i.time_zone)::int as local_hour,
      coalesce(bh.hours @> i.received_at, true) as in_hours,
      answers.acknowledged_at, answers.useful_answer_at, coalesce(answers.replies_sent, 0) as replies_sent,
      coalesce(answers.moderators, '{}') as moderators,
      fr.due_at as first_response_due_at, fr.stopped_at as first_response_at,
      ${clockState("fr", instant)} as first_response_state, ${clockSeconds("fr")} as first_response_seconds,
      res.due_at as resolution_due_at, res.stopped_at as resolved_at,
      ${clockState("res", instant)} as resolution_state, ${clockSeconds("res")} as resolution_seconds,
      esc.escalated_at, esc.answered_at as escalation_answered_at, delivery.status as delivery_status,
      handling.handled_at, coalesce(handling.handlers, '{}') as handlers, claims.handling_seconds,
      ${openUntil} as open_until
    from selected_items i
    join channels ch on ch.id = i.channel_id and ch.agency_id = i.agency_id
    left join business_hours bh on bh.client_id = i.client_id
    left join item_handling handling on handling.item_id = i.id
    left join item_claims claims on claims.item_id = i.id
    left join item_answers answers on answers.item_id = i.id
    left join sla_clocks fr on fr.agency_id = i.agency_id and fr.item_id = i.id and fr.metric = 'first_response'
    left join sla_clocks res on res.agency_id = i.agency_id and res.item_id = i.id and res.metric = 'resolution'
    left join item_escalations esc on esc.item_id = i.id
    left join item_deliveries delivery on delivery.item_id = i.id
  )${backlogRows} `;
}

/** Seconds from when the customer wrote to `column`. */
export const secondsToAnswer = (column: "acknowledged_at" | "useful_answer_at") =>
  sql.raw(`extract(epoch from r.${column} - r.created_at)::float8`);
