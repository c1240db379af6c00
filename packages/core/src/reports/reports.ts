/**
 * Reports: the period's figures (one statement over the report's rows, grouped by total, day, hour of day,
 * channel, priority and in/out of business hours; one for the moderators' work; one for the backlog over time), the
 * items behind any figure (the same rows under the figure's predicate) and the one-row-per-item export.
 */

import { AppError, badInput, uuid } from "@parley/contracts";
import { copyCsvRows, type Executor, schema } from "@parley/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type ContractInForceView, findContractInForce } from "../billing/contracts";
import { type Clock, systemClock } from "../kernel/clock";
import { decodeItemCursor, encodeItemCursor } from "../moderation/read-items";
import { listCalendarVersions } from "../sla/business-hours";
import { businessHoursMultirange, localMidnightInstant } from "../sla/period-aggregates";
import { wallTimeInstant } from "../sla/zone-offsets";
import { findFactSpans } from "./item-facts";
import {
  businessHoursRelation,
  isOpenAt,
  localEndOf,
  type ReportFilters,
  type ReportReader,
  type ReportRowsOptions,
  reportFigureNames,
  reportFigures,
  reportFilters,
  reportRowsCte,
  secondsToAnswer,
  useReportPlanning,
} from "./report-rows";

export interface DurationFigure {
  /** Items with a value (answered, stopped, …). */
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/** The period's figures for one group of items (all of them, one day, one hour of day, a channel, a priority). */
export interface ReportFigures {
  itemsIn: number;
  acknowledged: DurationFigure;
  usefulAnswer: DurationFigure;
  /** Confirmed public replies on these items. */
  repliesSent: number;
  firstResponse: DurationFigure & { met: number; breached: number };
  resolution: DurationFigure & { met: number; breached: number };
  hidden: number;
  deleted: number;
  noAction: number;
  escalated: number;
  /** From an item's first escalation to the client's first answer. */
  clientAnswer: DurationFigure;
  /** Items a moderator took a handling action on. */
  handled: number;
  /** Claim → the same moderator's handling action (staffing's measured claims), per item. */
  handlingTime: DurationFigure;
}

/** One moderator's work on the report's items. */
export interface ModeratorWork {
  moderatorId: string;
  moderatorName: string;
  /** Items they took a handling action on. */
  handled: number;
  /** Their measured claims on these items. */
  handlingTime: DurationFigure;
  /** Clock hours in which they claimed or handled one of these items. */
  activeHours: number;
  /** handled / activeHours; null without active hours. */
  handledPerHour: number | null;
}

/** Items open at the end of a local day (or, for a one-day period, of a local hour) of the period. */
export interface BacklogPoint {
  date: string;
  /** The hour whose end the point is, for a one-day period. */
  hour: number | null;
  open: number;
}

export interface ReportView {
  from: string;
  to: string;
  asOf: Date;
  totals: ReportFigures;
  /** Every local date of the period, oldest first (days without items count zero). */
  byDay: Array<{ date: string } & ReportFigures>;
  /** Hours of the day (0–23, the client's local time) that had items. */
  byHour: Array<{ hour: number } & ReportFigures>;
  byChannel: Array<{ channelId: string; channelName: string; clientName: string; platform: string } & ReportFigures>;
  byPriority: Array<{ priority: (typeof schema.itemPriorities)[number] } & ReportFigures>;
  /** Received within the client's business hours (true) or outside them (false); only the sides that had items. */
  byBusinessHours: Array<{ inHours: boolean } & ReportFigures>;
  byModerator: ModeratorWork[];
  /** Every moderator's handled items over every moderator's active hours. */
  moderatorWork: { handled: number; activeHours: number; handledPerHour: number | null };
  /** The period's points up to `asOf`, oldest first; an item counts on its client's local dates. */
  backlog: BacklogPoint[];
  /**
   * The SLA targets of the contract in force on the period's first day, when the report covers one client (several
   * clients' targets differ); null without one. Compliance per priority is judged against them.
   */
  contractTargets: ContractInForceView["slaTargets"] | null;
}

/**
 * The reader, once the clients it names are known to be ones it sees: an unseen client is refused by name rather
 * than counted as empty. Who may read reports at all (`readReports`) is the caller's check, as for every read
 * that API keys share with people.
 */
export async function checkedReader(
  reader: ReportReader,
  tx: Executor,
  filters: Pick<ReportFilters, "clientIds">,
): Promise<ReportReader> {
  if (filters.clientIds) {
    const visible = await tx
      .select({ id: schema.clients.id })
      .from(schema.clients)
      .where(
        and(
          eq(schema.clients.agencyId, reader.agencyId),
          inArray(schema.clients.id, [...(reader.clientIds ?? filters.clientIds)]),
        ),
      );
    const seen = new Set(visible.map((client) => client.id));
    const unseen = filters.clientIds.filter((clientId) => !seen.has(clientId));
    if (unseen.length > 0) {
      throw new AppError("NOT_FOUND", `Client not found: ${unseen.join(", ")}`, {
        reason: "client_not_found",
        fields: { clientIds: `${unseen.join(", ")} is not a client you can see` },
      });
    }
  }
  return reader;
}

/**
 * The clients a report covers (those it names, once `checkedReader` let them through, else every client the reader
 * sees), each one's period as instants and its business hours over it.
 */
async function reportContext(
  reader: ReportReader,
  tx: Executor,
  filters: Pick<ReportFilters, "clientIds" | "from" | "to">,
): Promise<Required<Pick<ReportRowsOptions, "businessHours" | "periods">> & { timeZones: string[] }> {
  await checkedReader(reader, tx, filters);
  await useReportPlanning(tx);
  const wanted = filters.clientIds ?? reader.clientIds;
  const clients = await tx
    .select({ id: schema.clients.id, timeZone: schema.clients.timeZone })
    .from(schema.clients)
    .where(
      and(eq(schema.clients.agencyId, reader.agencyId), wanted ? inArray(schema.clients.id, [...wanted]) : undefined),
    );
  const calendars = await listCalendarVersions(tx, { clientIds: clients.map((client) => client.id) });
  const dayAfter = new Date(Date.parse(`${filters.to}T00:00:00Z`) + 864e5).toISOString().slice(0, 10);
  const ends = clients.map((client) => localMidnightInstant(dayAfter, client.timeZone).getTime());
  const factSpans = await findFactSpans(reader, tx, {
    clientIds: clients.map((client) => client.id),
    until: new Date(Math.max(0, ...ends)),
  });
  const periods = clients.map((client) => ({
    clientId: client.id,
    from: localMidnightInstant(filters.from, client.timeZone),
    to: localMidnightInstant(dayAfter, client.timeZone),
    factSpans: factSpans.get(client.id) ?? [],
  }));
  return {
    timeZones: [...new Set(clients.map((client) => client.timeZone))],
    periods,
    businessHours: businessHoursRelation(
      periods.map((period) => ({
        clientId: period.clientId,
        hours: businessHoursMultirange(calendars.get(period.clientId) ?? [], period.from, period.to),
      })),
    ),
  };
}

/**
 * The median and 90th percentile of a group's values (`name_percentiles`), both from one sort of them: two
 * `percentile_cont`s sorted them twice, in every group of every grouping set. Nulls are left out.
 */
const percentiles = (name: string, seconds: SQL) =>
  sql`percentile_cont(array[0.5, 0.9]::float8[]) within group (order by ${seconds}) as ${sql.raw(`${name}_percentiles`)}`;

const countOf = (where: SQL) => sql`count(*) filter (where ${where})`;

/**
 * The figures that add up (counts, and the replies' sum), by column name. A report counts them once per cell
 * (`figure_cells`: a day, an hour, a channel, a priority and a side of business hours) and sums the cells into each
 * grouping: counted from the rows in every grouping set, their filters ran six times a row.
 */
const countedFigures: ReadonlyArray<readonly [name: string, count: SQL]> = [
  ["items_in", sql`count(*)`],
  ["acknowledged_count", countOf(reportFigures.acknowledged)],
  ["useful_answer_count", countOf(reportFigures.useful_answer)],
  ["replies_sent", sql`coalesce(sum(r.replies_sent), 0)`],
  ["first_response_count", countOf(sql`r.first_response_seconds is not null`)],
  ["first_response_met", countOf(reportFigures.first_response_met)],
  ["first_response_breached", countOf(reportFigures.first_response_breached)],
  ["resolution_count", countOf(sql`r.resolution_seconds is not null`)],
  ["resolution_met", countOf(reportFigures.resolution_met)],
  ["resolution_breached", countOf(reportFigures.resolution_breached)],
  ["hidden", countOf(reportFigures.hidden)],
  ["deleted", countOf(reportFigures.deleted)],
  ["no_action", countOf(reportFigures.no_action)],
  ["escalated", countOf(reportFigures.escalated)],
  ["client_answer_count", countOf(sql`r.escalation_answered_at is not null`)],
  ["handled", countOf(reportFigures.handled)],
  ["handling_count", countOf(reportFigures.handling_measured)],
];

/** The durations a report takes the median and 90th percentile of, by name, with their seconds' column. */
const durationFigures = [
  ["acknowledged", "acknowledged_seconds"],
  ["useful_answer", "useful_answer_seconds"],
  ["first_response", "first_response_seconds"],
  ["resolution", "resolution_seconds"],
  ["client_answer", "client_answer_seconds"],
  ["handling", "handling_seconds"],
] as const;

/**
 * The seconds of the durations `report_rows` does not carry as such, computed once a row: in the aggregates they were
 * computed once a grouping set (120 ms of a 40,000-item month).
 */
const durationSeconds = sql`${secondsToAnswer("acknowledged_at")} as acknowledged_seconds,
        ${secondsToAnswer("useful_answer_at")} as useful_answer_seconds,
        extract(epoch from r.escalation_answered_at - r.escalated_at)::float8 as client_answer_seconds`;

/** The report's groupings: the whole period, then by day, hour of day, channel, priority and business hours. */
const figureGroupings = sql`grouping sets ((), (r.local_date), (r.local_hour), (r.channel_id), (r.priority), (r.in_hours))`;

/** Which grouping a row of `figureGroupings` is in (`dimension`) and its group (`key`, '' for the whole period). */
const figureGroup = sql`case
          when grouping(r.local_date) = 0 then 'day'
          when grouping(r.local_hour) = 0 then 'hour'
          when grouping(r.channel_id) = 0 then 'channel'
          when grouping(r.priority) = 0 then 'priority'
          when grouping(r.in_hours) = 0 then 'business_hours'
          else 'total' end as dimension,
        coalesce(r.local_date::text, r.local_hour::text, r.channel_id::text, r.priority::text, r.in_hours::text, '')
          as key`;

type FigureRow = Record<string, number | string | null | Array<number | null>>;

function durationOf(row: FigureRow, name: string): DurationFigure {
  // A day without items has no row at all: no value, as for a group with none.
  const [median = null, p90 = null] = (row[`${name}_percentiles`] as Array<number | null> | null | undefined) ?? [];
  return {
    count: Number(row[`${name}_count`] ?? 0),
    medianSeconds: median === null ? null : Number(median),
    p90Seconds: p90 === null ? null : Number(p90),
  };
}

function figuresOf(row: FigureRow | undefined): ReportFigures {
  const at = (name: string) => Number(row?.[name] ?? 0);
  const empty = row ?? {};
  return {
    itemsIn: at("items_in"),
    acknowledged: durationOf(empty, "acknowledged"),
    usefulAnswer: durationOf(empty, "useful_answer"),
    repliesSent: at("replies_sent"),
    firstResponse: {
      ...durationOf(empty, "first_response"),
      met: at("first_response_met"),
      breached: at("first_response_breached"),
    },
    resolution: { ...durationOf(empty, "resolution"), met: at("resolution_met"), breached: at("resolution_breached") },
    hidden: at("hidden"),
    deleted: at("deleted"),
    noAction: at("no_action"),
    escalated: at("escalated"),
    clientAnswer: durationOf(empty, "client_answer"),
    handled: at("handled"),
    handlingTime: durationOf(empty, "handling"),
  };
}

function datesOf(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= Date.parse(`${to}T00:00:00Z`); day += 864e5) {
    dates.push(new Date(day).toISOString().slice(0, 10));
  }
  return dates;
}

/** The period's figures in total and by day, hour of day, channel, priority and business hours. */
export async function getReport(
  scope: ReportReader,
  tx: Executor,
  input: unknown,
  deps: { now?: Clock } = {},
): Promise<ReportView> {
  const filters = parse(reportFilters, input);
  const context = await reportContext(scope, tx, filters);
  const asOf = (deps.now ?? systemClock)();
  const points = backlogPoints(filters, asOf, context.timeZones);
  // One statement: the figures, the moderators' work and the backlog read the same work tables and items, built
  // once (three statements built them three times: 3 s for a 40,000-item month, 39.6× a bare aggregate); the
  // figures and the work read `report_rows`, the columns of `r` they need (the others, such as the moderators' names,
  // a look-up per row, are never computed).
  const parts = await tx.execute<{ part: "figures" | "moderator" | "backlog"; row: FigureRow }>(sql`
    ${reportRowsCte(scope, filters, asOf, {
      businessHours: context.businessHours,
      periods: context.periods,
      backlog: points.length > 0,
    })}, report_rows as materialized (
      select r.local_date, r.local_hour, r.channel_id, r.channel_name, r.client_name, r.platform, r.priority, r.in_hours,
        r.status, r.moderation_action, r.acknowledged_at, r.useful_answer_at, r.replies_sent, r.first_response_state,
        r.first_response_seconds, r.resolution_state, r.resolution_seconds, r.escalated_at, r.escalation_answered_at,
        r.handlers, r.handling_seconds, r.claim_moderator_ids, r.claim_seconds, r.work_moderator_ids, r.work_hours,
        ${durationSeconds}
      from r
    ), figure_cells as (
      select r.local_date, r.local_hour, r.channel_id, r.priority, r.in_hours, max(r.channel_name) as channel_name,
        max(r.client_name) as client_name, max(r.platform::text) as platform,
        ${sql.join(
          countedFigures.map(([name, count]) => sql`${count}::int as ${sql.raw(name)}`),
          sql`, `,
        )}
      from report_rows r
      group by r.local_date, r.local_hour, r.channel_id, r.priority, r.in_hours
    ), figure_counts as (
      select ${figureGroup}, max(r.channel_name) as channel_name, max(r.client_name) as client_name,
        max(r.platform) as platform, ${sql.raw(countedFigures.map(([name]) => `sum(r.${name})::int as ${name}`).join(", "))}
      from figure_cells r
      group by ${figureGroupings}
    ), figure_percentiles as (
      select ${figureGroup},
        ${sql.join(
          durationFigures.map(([name, column]) => percentiles(name, sql.raw(`r.${column}`))),
          sql`, `,
        )}
      from report_rows r
      group by ${figureGroupings}
    ), figures as (
      select c.*, ${sql.raw(durationFigures.map(([name]) => `p.${name}_percentiles`).join(", "))}
      from figure_counts c join figure_percentiles p on p.dimension = c.dimension and p.key = c.key
    ), ${moderatorWorkCtes}${points.length > 0 ? sql`, ${backlogCtes(points, filters, asOf, context.timeZones)}` : sql``}
    select 'figures' as part, to_jsonb(f) as row from figures f
    union all select 'moderator', to_jsonb(m) from moderator_work m
    ${points.length > 0 ? sql`union all select 'backlog', to_jsonb(b) from backlog b` : sql``}`);
  const rows = parts.filter((part) => part.part === "figures").map((part) => part.row);
  const of = (dimension: string) => rows.filter((row) => row.dimension === dimension);
  const days = new Map(of("day").map((row) => [row.key, row]));
  const moderators = parts
    .filter((part) => part.part === "moderator")
    .sort((a, b) => Number(a.row.ordinal) - Number(b.row.ordinal))
    .map((part) => moderatorWorkOf(part.row));
  const handled = moderators.reduce((total, moderator) => total + moderator.handled, 0);
  const activeHours = moderators.reduce((total, moderator) => total + moderator.activeHours, 0);
  return {
    from: filters.from,
    to: filters.to,
    asOf,
    totals: figuresOf(of("total")[0]),
    byDay: datesOf(filters.from, filters.to).map((date) => ({ date, ...figuresOf(days.get(date)) })),
    byHour: of("hour")
      .map((row) => ({ hour: Number(row.key), ...figuresOf(row) }))
      .sort((a, b) => a.hour - b.hour),
    byChannel: of("channel")
      .map((row) => ({
        channelId: String(row.key),
        channelName: String(row.channel_name),
        clientName: String(row.client_name),
        platform: String(row.platform),
        ...figuresOf(row),
      }))
      .sort((a, b) => b.itemsIn - a.itemsIn || a.channelName.localeCompare(b.channelName)),
    byPriority: of("priority")
      .map((row) => ({ priority: row.key as (typeof schema.itemPriorities)[number], ...figuresOf(row) }))
      .sort((a, b) => a.priority.localeCompare(b.priority)),
    byBusinessHours: of("business_hours")
      .map((row) => ({ inHours: row.key === "true", ...figuresOf(row) }))
      .sort((a, b) => Number(b.inHours) - Number(a.inHours)),
    byModerator: moderators,
    moderatorWork: { handled, activeHours, handledPerHour: activeHours === 0 ? null : handled / activeHours },
    backlog: parts
      .filter((part) => part.part === "backlog")
      .map((part) => ({
        date: String(part.row.date),
        hour: part.row.hour === null ? null : Number(part.row.hour),
        open: Number(part.row.open),
      }))
      .sort((a, b) => a.date.localeCompare(b.date) || (a.hour ?? 0) - (b.hour ?? 0)),
    contractTargets: await contractTargetsOf(scope, tx, context.periods),
  };
}

/** The one client's SLA targets on its period's first day (`ReportView.contractTargets`). */
async function contractTargetsOf(
  scope: ReportReader,
  tx: Executor,
  periods: ReportRowsOptions["periods"] = [],
): Promise<ReportView["contractTargets"]> {
  const [only] = periods;
  if (!only || periods.length > 1) return null;
  const contract = await findContractInForce(scope, tx, { clientId: only.clientId, at: only.from });
  return contract?.slaTargets ?? null;
}

/**
 * Each moderator who handled one of the report's items (`report_rows`: their handlers, measured claims and work hours),
 * as `moderator_work`: how many, how fast, over how many active hours; `ordinal` is their place in the list (most handled
 * first). The arrays are unnested in the select list (zipped, a row per element), which costs a fraction of a lateral
 * `unnest` per row.
 */
const moderatorWorkCtes = sql`handled_by as (
      select h.moderator_id, count(*)::int as handled
      from (select unnest(r.handlers) as moderator_id from report_rows r) h
      group by h.moderator_id
    ), claims_by as (
      select c.moderator_id, count(*)::int as handling_count, ${percentiles("handling", sql`c.seconds`)}
      from (select unnest(r.claim_moderator_ids) as moderator_id, unnest(r.claim_seconds) as seconds
        from report_rows r) c
      group by c.moderator_id
    ), hours_by as (
      select w.moderator_id, count(distinct w.hour)::int as active_hours
      from (select unnest(r.work_moderator_ids) as moderator_id, unnest(r.work_hours) as hour from report_rows r) w
      group by w.moderator_id
    ), moderator_work as (
      select row_number() over (order by b.handled desc, u.name) as ordinal,
        b.moderator_id, u.name as moderator_name, b.handled, coalesce(h.active_hours, 0) as active_hours,
        coalesce(c.handling_count, 0) as handling_count, c.handling_percentiles
      from handled_by b
      left join claims_by c on c.moderator_id = b.moderator_id
      left join hours_by h on h.moderator_id = b.moderator_id
      left join users u on u.id = b.moderator_id
    )`;

function moderatorWorkOf(row: FigureRow): ModeratorWork {
  const activeHours = Number(row.active_hours);
  const handled = Number(row.handled);
  return {
    moderatorId: String(row.moderator_id),
    moderatorName: row.moderator_name == null ? "(former moderator)" : String(row.moderator_name),
    handled,
    handlingTime: durationOf(row, "handling"),
    activeHours,
    handledPerHour: activeHours === 0 ? null : handled / activeHours,
  };
}

/** A one-day period's backlog is read hour by hour; a longer one day by day. */
const backlogByHour = (filters: Pick<ReportFilters, "from" | "to">) => filters.from === filters.to;

/** The instant a point ends in SQL (the row's client's zone) and the point's drill-down narrowing. */
const backlogPointEnd = (date: SQL, hour: SQL | null) => localEndOf(date, hour);

/**
 * The backlog's points: the end of each local day (or, for a one-day period, hour) of the period that has ended by
 * `asOf` in one of the report's clients' zones.
 */
function backlogPoints(
  filters: ReportFilters,
  asOf: Date,
  timeZones: readonly string[],
): Array<{ date: string; hour: number | null }> {
  const byHour = backlogByHour(filters);
  const points: Array<{ date: string; hour: number | null }> = [];
  for (const date of datesOf(filters.from, filters.to)) {
    for (const hour of byHour ? Array.from({ length: 24 }, (_, index) => index) : [null]) {
      const minute = hour === null ? 1440 : (hour + 1) * 60;
      if (timeZones.some((timeZone) => wallTimeInstant(date, minute, timeZone) <= asOf.getTime())) {
        points.push({ date, hour });
      }
    }
  }
  return points;
}

/**
 * Items open at each point (`backlog_rows` before it), as `backlog`; each client's items count at its own day's
 * end.
 */
function backlogCtes(
  points: ReadonlyArray<{ date: string; hour: number | null }>,
  filters: ReportFilters,
  asOf: Date,
  timeZones: readonly string[],
): SQL {
  const end = backlogPointEnd(sql`p.date`, backlogByHour(filters) ? sql`p.hour` : null);
  // Each point's end is worked out once per time zone (`ordinal` numbers a zone's points in time order), and only the
  // items ever open (an item handled on arrival never is) are counted. An item ever open is open at the points from
  // the first that ends at or after its arrival to the last that ends before it leaves: each item's two ordinals are
  // found by `width_bucket` over its zone's ends (the ends before an instant are those at or before one microsecond
  // earlier, the finest step of a timestamp), and the items are tallied by that pair, so a point adds up a few dozen
  // tallies. Sorting every item's arrival and departure for a binary search per point took 110 ms of a 40,000-item
  // month, testing every item against every point 200 ms of a 10,000-item one.
  return sql`points as (
      select * from (values ${sql.join(
        points.map((point) => sql`(${point.date}::date, ${point.hour}::int)`),
        sql`, `,
      )}) as v(date, hour)
    ), ends as (
      select p.date, p.hour, r.time_zone, ${end} as at,
        row_number() over (partition by r.time_zone order by p.date, p.hour)::int as ordinal
      from points p cross join unnest(${`{${timeZones.join(",")}}`}::text[]) as r(time_zone)
    ), zone_ends as (
      select e.time_zone, array_agg(e.at order by e.ordinal) as ats from ends e group by e.time_zone
    ), open_spans as (
      select r.time_zone, width_bucket(r.received_at - interval '1 microsecond', z.ats) + 1 as first_open,
        width_bucket(r.open_until - interval '1 microsecond', z.ats) as last_open, count(*)::int as items
      from backlog_rows r join zone_ends z on z.time_zone = r.time_zone
      where r.open_until > r.received_at
      group by 1, 2, 3
    ), backlog as (
      select p.date::text as date, p.hour,
        coalesce(sum(s.items) filter (where p.at <= ${asOf.toISOString()}::timestamptz), 0)::int as open
      from ends p
      left join open_spans s on s.time_zone = p.time_zone and p.ordinal between s.first_open and s.last_open
      group by p.date, p.hour    )`;
}

export function parse<T extends z.ZodType>(schemaOf: T, input: unknown): z.infer<T> {
  const parsed = schemaOf.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error.issues);
  return parsed.data;
}

/** One item of a report: the export's row and the drill-down's. */
export interface ReportItemRow {
  id: string;
  clientId: string;
  clientName: string;
  channelId: string;
  channelName: string;
  platform: string;
  customerId: string | null;
  authorHandle: string;
  categoryKey: string | null;
  tags: string[];
  priority: (typeof schema.itemPriorities)[number];
  status: (typeof schema.itemStatuses)[number];
  moderationAction: (typeof schema.itemModerationActions)[number] | null;
  moderators: string[];
  createdAt: Date;
  receivedAt: Date;
  acknowledgedAt: Date | null;
  usefulAnswerAt: Date | null;
  firstResponseState: "met" | "breached" | "running" | null;
  resolutionState: "met" | "breached" | "running" | null;
  resolvedAt: Date | null;
  escalatedAt: Date | null;
  /** The client's first answer to the item's escalation. */
  escalationAnsweredAt: Date | null;
  deliveryStatus: string | null;
  /** Received within the client's business hours. */
  inHours: boolean;
  /** Claim → action, summed over the item's measured claims. */
  handlingSeconds: number | null;
  timeZone: string;
}

/** The figures a drill-down lists: the report's, and a backlog point's items. */
export const reportItemFigures = [...reportFigureNames, "backlog"] as const;

/**
 * A chart's bar or point: the figure's items narrowed to one day, hour of day, channel, priority, side of business
 * hours or moderator. `backlog` is the items open at the end of `date` (and `hour`, for a one-day period): a point
 * of the backlog chart.
 */
export const reportItemsInput = reportFilters
  .and(
    z.object({
      figure: z.enum(reportItemFigures).default("items_in"),
      date: z.iso.date().optional(),
      hour: z.int().min(0).max(23).optional(),
      channelId: uuid.optional(),
      priority: z.enum(schema.itemPriorities).optional(),
      inHours: z.boolean().optional().describe("received within (true) or outside (false) business hours"),
      handledBy: uuid.optional().describe("items this moderator took a handling action on"),
      cursor: z.string().max(200).optional(),
      limit: z.int().min(1).max(5000).default(100),
    }),
  )
  .superRefine((query, context) => {
    if (query.figure === "backlog" && !query.date) {
      context.addIssue({ code: "custom", path: ["date"], message: "is required with the `backlog` figure" });
    }
  });
export type ReportItemsInput = z.input<typeof reportItemsInput>;

/**
 * An item's row as one JSON array (`item`), its fields in `toReportItemRow`'s order (instants as ISO text, which a
 * `Date` cuts to the millisecond as it did their text columns). Parsing one JSON text per row is what lets the export
 * keep pace: 38 text columns, arrays and timestamps parsed one by one, cost ~35 µs a row to read; instants as epoch
 * milliseconds cost the server more (numeric arithmetic) than the client saves.
 */
const reportItemJson = sql`json_build_array(r.id, r.client_id, r.client_name, r.channel_id, r.channel_name, r.platform,
  r.customer_id, r.author_handle, r.category_key, r.tags, r.priority, r.status, r.moderation_action, r.moderators,
  r.created_at, r.received_at, r.acknowledged_at, r.useful_answer_at, r.first_response_state, r.resolution_state,
  r.resolved_at, r.escalated_at, r.escalation_answered_at, r.delivery_status, r.in_hours, r.handling_seconds,
  r.time_zone) as item`;

const toDate = (value: unknown) => (value === null ? null : new Date(value as string));

function toReportItemRow(row: { item: unknown[] }): ReportItemRow {
  const [
    id,
    clientId,
    clientName,
    channelId,
    channelName,
    platform,
    customerId,
    authorHandle,
    categoryKey,
    tags,
    priority,
    status,
    moderationAction,
    moderators,
    createdAt,
    receivedAt,
    acknowledgedAt,
    usefulAnswerAt,
    firstResponseState,
    resolutionState,
    resolvedAt,
    escalatedAt,
    escalationAnsweredAt,
    deliveryStatus,
    inHours,
    handlingSeconds,
    timeZone,
  ] = row.item;
  return {
    id: id as string,
    clientId: clientId as string,
    clientName: clientName as string,
    channelId: channelId as string,
    channelName: channelName as string,
    platform: platform as string,
    customerId: (customerId as string | null) ?? null,
    authorHandle: authorHandle as string,
    categoryKey: (categoryKey as string | null) ?? null,
    tags: (tags as string[] | null) ?? [],
    priority: priority as ReportItemRow["priority"],
    status: status as ReportItemRow["status"],
    moderationAction: (moderationAction as ReportItemRow["moderationAction"]) ?? null,
    moderators: (moderators as string[] | null) ?? [],
    createdAt: toDate(createdAt) as Date,
    receivedAt: toDate(receivedAt) as Date,
    acknowledgedAt: toDate(acknowledgedAt),
    usefulAnswerAt: toDate(usefulAnswerAt),
    firstResponseState: (firstResponseState as ReportItemRow["firstResponseState"]) ?? null,
    resolutionState: (resolutionState as ReportItemRow["resolutionState"]) ?? null,
    resolvedAt: toDate(resolvedAt),
    escalatedAt: toDate(escalatedAt),
    escalationAnsweredAt: toDate(escalationAnsweredAt),
    deliveryStatus: (deliveryStatus as string | null) ?? null,
    inHours: inHours as boolean,
    handlingSeconds: handlingSeconds === null ? null : Number(handlingSeconds),
    timeZone: timeZone as string,
  };
}

/**
 * The statement reading the items behind a figure, newest arrival first, each as `select` makes it of its row `r`: a
 * page of them (`page`) or all of them. Every item of the report, paged, keeps each row it builds: only the page's
 * rows are built.
 */
async function reportItemsStatement(
  scope: ReportReader,
  tx: Executor,
  query: z.infer<typeof reportItemsInput>,
  asOf: Date,
  select: SQL,
  page?: { before?: { receivedAt: string; id: string }; limit: number },
): Promise<SQL> {
  const context = await reportContext(scope, tx, query);
  const conditions: SQL[] = [];
  if (query.figure === "backlog") {
    const end = backlogPointEnd(sql`${query.date}::date`, backlogByHour(query) ? sql`${query.hour ?? 23}::int` : null);
    conditions.push(isOpenAt(end), sql`${end} <= ${asOf.toISOString()}::timestamptz`);
  } else {
    conditions.push(reportFigures[query.figure]);
    if (query.date) conditions.push(sql`r.local_date = ${query.date}::date`);
    if (query.hour !== undefined) conditions.push(sql`r.local_hour = ${query.hour}`);
  }
  if (query.channelId) conditions.push(sql`r.channel_id = ${query.channelId}`);
  if (query.priority) conditions.push(sql`r.priority::text = ${query.priority}`);
  if (query.inHours !== undefined) conditions.push(sql`r.in_hours = ${query.inHours}`);
  if (query.handledBy) conditions.push(sql`${query.handledBy}::uuid = any(r.handlers)`);
  const everyItem = conditions.length === 1 && query.figure === "items_in";
  return sql`
    ${reportRowsCte(scope, query, asOf, {
      businessHours: context.businessHours,
      periods: context.periods,
      selection: query.figure === "backlog" ? "backlog" : "received",
      page: page && {
        before: page.before,
        limit: everyItem ? page.limit + 1 : undefined,
      },
    })}
    select ${select}${page ? sql`, to_char(r.received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at` : sql``}
    from r where ${sql.join(conditions, sql` and `)}
    order by r.received_at desc, r.id desc
    ${page ? sql`limit ${page.limit + 1}` : sql``}`;
}

/** The items behind a figure, newest arrival first, a page at a time (`nextCursor` until the last page). */
export async function listReportItems(
  scope: ReportReader,
  tx: Executor,
  input: unknown,
  deps: { now?: Clock } = {},
): Promise<{ items: ReportItemRow[]; nextCursor: string | null }> {
  const query = parse(reportItemsInput, input);
  const asOf = (deps.now ?? systemClock)();
  const rows = await tx.execute<{ item: unknown[]; cursor_at: string }>(
    await reportItemsStatement(scope, tx, query, asOf, reportItemJson, {
      before: query.cursor ? decodeItemCursor(query.cursor) : undefined,
      limit: query.limit,
    }),
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toReportItemRow),
    nextCursor:
      rows.length > query.limit && last
        ? encodeItemCursor({ receivedAt: last.cursor_at, id: last.item[0] as string })
        : null,
  };
}

/**
 * Every item behind a figure (`listReportItems`'s items, in its order, `cursor` and `limit` ignored) as CSV rows that
 * PostgreSQL writes (`copyCsvRows`), each row's cells `columns` makes of the report's row `r` (the one-row-per-item
 * export's): one statement, read as the caller asks for it, so the report's context and work tables are built once and
 * the file never has to be held. The checks (input, the clients named) are made before this returns; the rows are
 * read in `tx`, which must stay open until the caller has read them or stopped.
 */
export async function streamReportItemsCsv(
  scope: ReportReader,
  tx: Executor,
  input: unknown,
  columns: SQL,
  deps: { now?: Clock } = {},
): Promise<AsyncIterable<Uint8Array>> {
  const query = parse(reportItemsInput, input);
  const asOf = (deps.now ?? systemClock)();
  return copyCsvRows(tx, await reportItemsStatement(scope, tx, query, asOf, columns));
}
