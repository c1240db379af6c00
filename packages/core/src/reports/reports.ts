/**
 * Reports: the period's figures (one statement reading the report's cells — built from its rows, or stored for fresh
 * days — and the moderators' work and the backlog over time; the cells added up by total, day, hour of day, channel,
 * priority and in/out of business hours here), the items behind any figure (the report's rows under the figure's
 * predicate) and the one-row-per-item export.
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
  type DurationName,
  type FigureCell,
  type FigureDimension,
  type FigureGroup,
  figureCellsOf,
  figureGroups,
  type ModeratorCell,
  medianAndP90,
  moderatorCellsOf,
  reportCellColumns,
  reportCellRows,
  reportModeratorCellColumns,
  storedCellsWhere,
} from "./report-cells";
import {
  businessHoursRelation,
  isOpenAt,
  liveItemCount,
  localEndOf,
  type ReportFilters,
  type ReportReader,
  type ReportRowsOptions,
  reportFigureNames,
  reportFigures,
  reportFilters,
  reportRowsCte,
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

function durationOf(count: number, [median, p90]: readonly [number | null, number | null]): DurationFigure {
  return { count, medianSeconds: median, p90Seconds: p90 };
}

function figuresOf(group: FigureGroup | undefined): ReportFigures {
  const at = (name: string) => group?.counts[name] ?? 0;
  const duration = (name: DurationName) => durationOf(at(`${name}_count`), group?.percentiles[name] ?? [null, null]);
  return {
    itemsIn: at("items_in"),
    acknowledged: duration("acknowledged"),
    usefulAnswer: duration("useful_answer"),
    repliesSent: at("replies_sent"),
    firstResponse: {
      ...duration("first_response"),
      met: at("first_response_met"),
      breached: at("first_response_breached"),
    },
    resolution: { ...duration("resolution"), met: at("resolution_met"), breached: at("resolution_breached") },
    hidden: at("hidden"),
    deleted: at("deleted"),
    noAction: at("no_action"),
    escalated: at("escalated"),
    clientAnswer: duration("client_answer"),
    handled: at("handled"),
    handlingTime: duration("handling"),
  };
}

function datesOf(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= Date.parse(`${to}T00:00:00Z`); day += 864e5) {
    dates.push(new Date(day).toISOString().slice(0, 10));
  }
  return dates;
}

type ReportPart =
  | { part: "cell"; row: FigureCell }
  | { part: "moderator_cell"; row: ModeratorCell }
  | { part: "moderator"; row: { moderator_id: string; moderator_name: string | null } }
  | { part: "backlog"; row: { date: string; hour: number | null; open: number } };

/**
 * The most items one report adds up: its cells' values are held in memory while their medians and p90s are found
 * (~150 bytes an item), so a larger one is refused with the count rather than left to exhaust the process.
 */
export const maxReportItems = 2_000_000;

/**
 * Refuses a report of more than `max` items: the fresh days' stored cells' counts and the other days' items counted
 * from their index (a report of one moderator's items is judged by all the items it looks through).
 */
async function checkReportSize(
  scope: ReportReader,
  tx: Executor,
  filters: ReportFilters,
  periods: ReportRowsOptions["periods"],
  max: number,
): Promise<void> {
  const [row] = await tx.execute<{ items: string }>(sql`select
    (select coalesce(sum(c.items_in), 0) from report_cells c where ${storedCellsWhere(scope, filters, periods)})
    + (${liveItemCount(scope, filters, periods)}) as items`);
  const items = Number(row?.items ?? 0);
  if (items <= max) return;
  const count = (value: number) => value.toLocaleString("en");
  throw new AppError(
    "BAD_INPUT",
    `This report would add up ${count(items)} items, more than the ${count(max)} one report can: choose a shorter period or fewer clients`,
    {
      reason: "report_too_large",
      fields: { to: `the period holds ${count(items)} items of the clients chosen; at most ${count(max)}` },
    },
  );
}

/** The period's figures in total and by day, hour of day, channel, priority and business hours. */
export async function getReport(
  scope: ReportReader,
  tx: Executor,
  input: unknown,
  deps: { now?: Clock; maxItems?: number } = {},
): Promise<ReportView> {
  const filters = parse(reportFilters, input);
  const context = await reportContext(scope, tx, filters);
  await checkReportSize(scope, tx, filters, context.periods, deps.maxItems ?? maxReportItems);
  const asOf = (deps.now ?? systemClock)();
  const points = backlogPoints(filters, asOf, context.timeZones);
  // Stored cells count every item of their day: a report of one moderator's items builds its cells from rows.
  const facts = filters.moderatorId ? "rows" : "cells";
  const stored = (table: "report_cells" | "report_moderator_cells", columns: SQL) =>
    facts === "cells"
      ? sql`union all select ${columns} from ${sql.raw(table)} c
          where ${storedCellsWhere(scope, filters, context.periods)}`
      : sql``;
  // One statement: the cells, the moderators' work and the backlog read the same work tables and items, built once
  // (three statements built them three times: 3 s for a 40,000-item month, 39.6× a bare aggregate).
  const parts = await tx.execute<ReportPart>(sql`
    ${reportRowsCte(scope, filters, asOf, {
      businessHours: context.businessHours,
      periods: context.periods,
      backlog: points.length > 0,
      facts,
    })}, ${reportCellRows}, figure_cells (${reportCellColumns}) as (
      ${figureCellsOf}
      ${stored("report_cells", reportCellColumns)}
    ), moderator_cells (${reportModeratorCellColumns}) as (
      ${moderatorCellsOf}
      ${stored("report_moderator_cells", reportModeratorCellColumns)}
    )${points.length > 0 ? sql`, ${backlogCtes(points, filters, asOf, context.timeZones)}` : sql``}
    select 'cell' as part, to_json(c) as row
      from (select f.*, ch.display_name as channel_name, ch.platform, cl.name as client_name
        from figure_cells f
        join channels ch on ch.id = f.channel_id and ch.agency_id = ${scope.agencyId}
        join clients cl on cl.id = f.client_id and cl.agency_id = ${scope.agencyId}) c
    union all select 'moderator_cell', to_json(m) from moderator_cells m
    union all select 'moderator', json_build_object('moderator_id', u.id, 'moderator_name', u.name)
      from users u where u.id in (select m.moderator_id from moderator_cells m)
    ${points.length > 0 ? sql`union all select 'backlog', to_json(b) from backlog b` : sql``}`);
  const cells: FigureCell[] = [];
  const moderatorCells: ModeratorCell[] = [];
  const names = new Map<string, string | null>();
  const backlog: BacklogPoint[] = [];
  for (const part of parts) {
    if (part.part === "cell") cells.push(part.row);
    else if (part.part === "moderator_cell") moderatorCells.push(part.row);
    else if (part.part === "moderator") names.set(part.row.moderator_id, part.row.moderator_name);
    else backlog.push({ date: part.row.date, hour: part.row.hour, open: Number(part.row.open) });
  }
  const groups = figureGroups(cells, asOf);
  const of = (dimension: FigureDimension) => groups.filter((group) => group.dimension === dimension);
  const days = new Map(of("day").map((group) => [group.key, group]));
  const moderators = moderatorWorkOf(moderatorCells, names);
  const handled = moderators.reduce((total, moderator) => total + moderator.handled, 0);
  const activeHours = moderators.reduce((total, moderator) => total + moderator.activeHours, 0);
  return {
    from: filters.from,
    to: filters.to,
    asOf,
    totals: figuresOf(of("total")[0]),
    byDay: datesOf(filters.from, filters.to).map((date) => ({ date, ...figuresOf(days.get(date)) })),
    byHour: of("hour")
      .map((group) => ({ hour: Number(group.key), ...figuresOf(group) }))
      .sort((a, b) => a.hour - b.hour),
    byChannel: of("channel")
      .map((group) => ({
        channelId: group.key,
        channelName: group.channelName,
        clientName: group.clientName,
        platform: group.platform,
        ...figuresOf(group),
      }))
      .sort((a, b) => b.itemsIn - a.itemsIn || a.channelName.localeCompare(b.channelName)),
    byPriority: of("priority")
      .map((group) => ({ priority: group.key as (typeof schema.itemPriorities)[number], ...figuresOf(group) }))
      .sort((a, b) => a.priority.localeCompare(b.priority)),
    byBusinessHours: of("business_hours")
      .map((group) => ({ inHours: group.key === "true", ...figuresOf(group) }))
      .sort((a, b) => Number(b.inHours) - Number(a.inHours)),
    byModerator: moderators,
    moderatorWork: { handled, activeHours, handledPerHour: activeHours === 0 ? null : handled / activeHours },
    backlog: backlog.sort((a, b) => a.date.localeCompare(b.date) || (a.hour ?? 0) - (b.hour ?? 0)),
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
 * Each moderator who handled one of the report's items, from their cells: how many, how fast (their measured claims),
 * over how many distinct clock hours; most handled first, then by name.
 */
function moderatorWorkOf(cells: readonly ModeratorCell[], names: ReadonlyMap<string, string | null>): ModeratorWork[] {
  const work = new Map<string, { handled: number; seconds: number[]; hours: Set<string> }>();
  for (const cell of cells) {
    const entry = work.get(cell.moderator_id) ?? { handled: 0, seconds: [], hours: new Set<string>() };
    entry.handled += cell.handled;
    for (const seconds of cell.claim_seconds) entry.seconds.push(seconds);
    for (const hour of cell.work_hours) entry.hours.add(hour);
    work.set(cell.moderator_id, entry);
  }
  return [...work]
    .filter(([, entry]) => entry.handled > 0)
    .map(([moderatorId, entry]) => {
      const activeHours = entry.hours.size;
      return {
        moderatorId,
        moderatorName: names.get(moderatorId) ?? "(former moderator)",
        handled: entry.handled,
        handlingTime: durationOf(entry.seconds.length, medianAndP90(Float64Array.from(entry.seconds))),
        activeHours,
        handledPerHour: activeHours === 0 ? null : entry.handled / activeHours,
      };
    })
    .sort((a, b) => b.handled - a.handled || a.moderatorName.localeCompare(b.moderatorName));
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
