/**
 * Reports: the period's figures (one statement over the report's rows, grouped by total, day, hour of day,
 * channel and priority), the items behind any figure (the same rows under the figure's predicate) and the
 * one-row-per-item export.
 */

import { AppError, badInput, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import { decodeItemCursor, encodeItemCursor } from "../moderation/read-items";
import {
  type ReportFilters,
  type ReportReader,
  reportFigureNames,
  reportFigures,
  reportFilters,
  reportRowsCte,
  secondsToAnswer,
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

const percentile = (fraction: number, seconds: SQL, where: SQL) =>
  sql`percentile_cont(${fraction}::float8) within group (order by ${seconds}) filter (where ${where})`;

const duration = (name: string, seconds: SQL, where: SQL) => sql`
  count(*) filter (where ${where})::int as ${sql.raw(`${name}_count`)},
  ${percentile(0.5, seconds, where)} as ${sql.raw(`${name}_median`)},
  ${percentile(0.9, seconds, where)} as ${sql.raw(`${name}_p90`)}`;

const figureColumns = sql`
  count(*)::int as items_in,
  ${duration("acknowledged", secondsToAnswer("acknowledged_at"), reportFigures.acknowledged)},
  ${duration("useful_answer", secondsToAnswer("useful_answer_at"), reportFigures.useful_answer)},
  coalesce(sum(r.replies_sent), 0)::int as replies_sent,
  ${duration("first_response", sql`r.first_response_seconds`, sql`r.first_response_seconds is not null`)},
  count(*) filter (where ${reportFigures.first_response_met})::int as first_response_met,
  count(*) filter (where ${reportFigures.first_response_breached})::int as first_response_breached,
  ${duration("resolution", sql`r.resolution_seconds`, sql`r.resolution_seconds is not null`)},
  count(*) filter (where ${reportFigures.resolution_met})::int as resolution_met,
  count(*) filter (where ${reportFigures.resolution_breached})::int as resolution_breached,
  count(*) filter (where ${reportFigures.hidden})::int as hidden,
  count(*) filter (where ${reportFigures.deleted})::int as deleted,
  count(*) filter (where ${reportFigures.no_action})::int as no_action,
  count(*) filter (where ${reportFigures.escalated})::int as escalated,
  ${duration(
    "client_answer",
    sql`extract(epoch from r.escalation_answered_at - r.escalated_at)::float8`,
    sql`r.escalation_answered_at is not null`,
  )}`;

type FigureRow = Record<string, number | string | null>;

const durationOf = (row: FigureRow, name: string): DurationFigure => ({
  count: Number(row[`${name}_count`] ?? 0),
  medianSeconds: row[`${name}_median`] === null ? null : Number(row[`${name}_median`]),
  p90Seconds: row[`${name}_p90`] === null ? null : Number(row[`${name}_p90`]),
});

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
  };
}

function datesOf(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= Date.parse(`${to}T00:00:00Z`); day += 864e5) {
    dates.push(new Date(day).toISOString().slice(0, 10));
  }
  return dates;
}

/** The period's figures in total and by day, hour of day, channel and priority. */
export async function getReport(
  scope: ReportReader,
  tx: Executor,
  input: unknown,
  deps: { now?: Clock } = {},
): Promise<ReportView> {
  const filters = parse(reportFilters, input);
  const reader = await checkedReader(scope, tx, filters);
  const asOf = (deps.now ?? systemClock)();
  const rows = await tx.execute<FigureRow & { dimension: string; key: string | null; channel_name: string | null }>(sql`
    ${reportRowsCte(reader, filters, asOf)}
    select case
        when grouping(r.local_date) = 0 then 'day'
        when grouping(r.local_hour) = 0 then 'hour'
        when grouping(r.channel_id) = 0 then 'channel'
        when grouping(r.priority) = 0 then 'priority'
        else 'total' end as dimension,
      coalesce(r.local_date::text, r.local_hour::text, r.channel_id::text, r.priority::text) as key,
      max(r.channel_name) as channel_name, max(r.client_name) as client_name, max(r.platform::text) as platform,
      ${figureColumns}
    from r
    group by grouping sets ((), (r.local_date), (r.local_hour), (r.channel_id), (r.priority))`);
  const of = (dimension: string) => rows.filter((row) => row.dimension === dimension);
  const days = new Map(of("day").map((row) => [row.key, row]));
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
  };
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
  deliveryStatus: string | null;
  timeZone: string;
}

/** A chart's bar or point: the figure's items narrowed to one day, hour of day, channel or priority. */
export const reportItemsInput = reportFilters.and(
  z.object({
    figure: z.enum(reportFigureNames).default("items_in"),
    date: z.iso.date().optional(),
    hour: z.int().min(0).max(23).optional(),
    channelId: uuid.optional(),
    priority: z.enum(schema.itemPriorities).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.int().min(1).max(5000).default(100),
  }),
);
export type ReportItemsInput = z.input<typeof reportItemsInput>;

const toDate = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));

function toReportItemRow(row: Record<string, unknown>): ReportItemRow {
  return {
    id: row.id as string,
    clientId: row.client_id as string,
    clientName: row.client_name as string,
    channelId: row.channel_id as string,
    channelName: row.channel_name as string,
    platform: row.platform as string,
    customerId: (row.customer_id as string | null) ?? null,
    authorHandle: row.author_handle as string,
    categoryKey: (row.category_key as string | null) ?? null,
    tags: (row.tags as string[]) ?? [],
    priority: row.priority as ReportItemRow["priority"],
    status: row.status as ReportItemRow["status"],
    moderationAction: (row.moderation_action as ReportItemRow["moderationAction"]) ?? null,
    moderators: (row.moderators as string[] | null) ?? [],
    createdAt: toDate(row.created_at) as Date,
    receivedAt: toDate(row.received_at) as Date,
    acknowledgedAt: toDate(row.acknowledged_at),
    usefulAnswerAt: toDate(row.useful_answer_at),
    firstResponseState: (row.first_response_state as ReportItemRow["firstResponseState"]) ?? null,
    resolutionState: (row.resolution_state as ReportItemRow["resolutionState"]) ?? null,
    resolvedAt: toDate(row.resolved_at),
    escalatedAt: toDate(row.escalated_at),
    deliveryStatus: (row.delivery_status as string | null) ?? null,
    timeZone: row.time_zone as string,
  };
}

/**
 * The items behind a figure, newest arrival first, a page at a time (`nextCursor` until the last page). With no
 * figure, every item of the report: the export reads it this way.
 */
export async function listReportItems(
  scope: ReportReader,
  tx: Executor,
  input: unknown,
  deps: { now?: Clock } = {},
): Promise<{ items: ReportItemRow[]; nextCursor: string | null }> {
  const query = parse(reportItemsInput, input);
  const reader = await checkedReader(scope, tx, query);
  const conditions: SQL[] = [reportFigures[query.figure]];
  if (query.date) conditions.push(sql`r.local_date = ${query.date}::date`);
  if (query.hour !== undefined) conditions.push(sql`r.local_hour = ${query.hour}`);
  if (query.channelId) conditions.push(sql`r.channel_id = ${query.channelId}`);
  if (query.priority) conditions.push(sql`r.priority::text = ${query.priority}`);
  if (query.cursor) {
    const after = decodeItemCursor(query.cursor);
    conditions.push(sql`(r.received_at, r.id) < (${after.receivedAt}::timestamptz, ${after.id}::uuid)`);
  }
  const rows = await tx.execute<Record<string, unknown>>(sql`
    ${reportRowsCte(reader, query, (deps.now ?? systemClock)())}
    select r.*, to_char(r.received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
    from r where ${sql.join(conditions, sql` and `)}
    order by r.received_at desc, r.id desc
    limit ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toReportItemRow),
    nextCursor:
      rows.length > query.limit && last
        ? encodeItemCursor({ receivedAt: last.cursor_at as string, id: last.id as string })
        : null,
  };
}
