/**
 * A report as CSV. The one-row-per-item export (Reports → Export items, `GET /v1/reports/items.csv`): each item with
 * what happened to it, times local to its client's zone (named in the last column): `reportItemsCsvHead` once, then
 * the rows PostgreSQL writes from `reportItemsCsvColumns`' cells as they are read, so a large export streams. The
 * summary (Reports → Export summary, `GET /v1/reports/summary.csv`): one row per group of figures
 * (`renderReportSummaryCsv`).
 */
import { type CsvCell, type CsvOptions, numberCell, textCell, writeCsv } from "@parley/contracts";
import type { DurationFigure, ReportFigures, ReportView } from "@parley/core/reports";
import { type SQL, sql } from "drizzle-orm";

export const reportItemsCsvHeader = [
  "item id",
  "link",
  "client",
  "channel",
  "platform",
  "customer id",
  "author",
  "category",
  "tags",
  "priority",
  "status",
  "moderation action",
  "moderators",
  "written at",
  "received at",
  "acknowledged at",
  "useful answer at",
  "minutes to acknowledgement",
  "minutes to useful answer",
  "first response",
  "resolution",
  "resolved at",
  "escalated",
  "escalated at",
  "client answered at",
  "in business hours",
  "handling minutes",
  "delivery status",
  "time zone",
] as const;

/**
 * A text cell as `writeCsv` writes one (contracts' csv.ts), for PostgreSQL to write: a leading `'` when the value
 * starts with = + - @ (or their full-width forms), tab, CR or LF; null for "" (which COPY would write as `""`). COPY
 * quotes it where RFC 4180 requires, as `writeCsv` does.
 */
const textCellOf = (value: SQL) =>
  sql`nullif(case when ascii(${value}) in (61, 43, 45, 64, 9, 13, 10, 65309, 65291, 65293, 65312)
    then '''' || ${value} else ${value} end, '')`;

/** An instant as local "YYYY-MM-DD HH:mm:ss" in the row's client's zone (`localTimeFormatter`'s text). */
const localTimeOf = (instant: SQL) => sql`to_char(${instant} at time zone r.time_zone, 'YYYY-MM-DD HH24:MI:SS')`;

/**
 * Minutes to two decimals as a number cell: half up (`Math.round`) in float8, as JavaScript computes it, written
 * (float8's text) in the fewest digits that read back the same, as JavaScript writes a number.
 */
const hundredthsOf = (minutes: SQL) => sql`floor(${minutes} * 100 + 0.5) / 100`;

/** Minutes from when the customer wrote to `instant`, from millisecond instants (what a `Date` keeps). */
const minutesToOf = (instant: SQL) =>
  hundredthsOf(sql`(extract(epoch from date_trunc('milliseconds', ${instant})
    - date_trunc('milliseconds', r.created_at)) * 1000)::float8 / 60000`);

/**
 * The export's cells of a report's row (`r` in core's `reportRowsCte`), in `reportItemsCsvHeader`'s order, for
 * PostgreSQL to write as CSV (`streamReportItemsCsv`): so an export streams the database's text, not rows built and
 * written again in Node. Times are local to the row's client's zone (the last column); the link is `linkPrefix`
 * followed by the item's id, and empty without a prefix (a reader who cannot open items there). Ids, enum words and
 * zone names can hold nothing to guard and are written as they are.
 */
export function reportItemsCsvColumns(linkPrefix: string | null): SQL {
  return sql`r.id, ${textCellOf(sql`(${linkPrefix}::text || r.id)`)}, ${textCellOf(sql`r.client_name`)},
    ${textCellOf(sql`r.channel_name`)}, r.platform, r.customer_id, ${textCellOf(sql`r.author_handle`)},
    ${textCellOf(sql`r.category_key`)}, ${textCellOf(sql`array_to_string(r.tags, ' ')`)}, r.priority, r.status,
    r.moderation_action, ${textCellOf(sql`array_to_string(r.moderators, '; ')`)}, ${localTimeOf(sql`r.created_at`)},
    ${localTimeOf(sql`r.received_at`)}, ${localTimeOf(sql`r.acknowledged_at`)}, ${localTimeOf(sql`r.useful_answer_at`)},
    ${minutesToOf(sql`r.acknowledged_at`)}, ${minutesToOf(sql`r.useful_answer_at`)}, r.first_response_state,
    r.resolution_state, ${localTimeOf(sql`r.resolved_at`)}, case when r.escalated_at is null then 'no' else 'yes' end,
    ${localTimeOf(sql`r.escalated_at`)}, ${localTimeOf(sql`r.escalation_answered_at`)},
    case when r.in_hours then 'yes' else 'no' end, ${hundredthsOf(sql`r.handling_seconds / 60`)}, r.delivery_status,
    r.time_zone`;
}

/** The file's start: byte-order mark and header; the rows `reportItemsCsvColumns` makes follow. */
export function reportItemsCsvHead(options?: CsvOptions): string {
  return writeCsv(reportItemsCsvHeader, [], options);
}

const durationHeader = (name: string) => [`${name}`, `${name} median minutes`, `${name} p90 minutes`];

export const reportSummaryCsvHeader = [
  "group",
  "value",
  "items in",
  "replies sent",
  ...durationHeader("acknowledged"),
  ...durationHeader("useful answers"),
  "first response met",
  "first response breached",
  ...durationHeader("first responses"),
  "resolution met",
  "resolution breached",
  ...durationHeader("resolutions"),
  "hidden",
  "deleted",
  "no action",
  "escalated",
  ...durationHeader("client answers"),
  "handled",
  ...durationHeader("handling times"),
  "active moderator hours",
  "handled per moderator hour",
  "open at the end",
] as const;

const minutes = (seconds: number | null): CsvCell =>
  seconds === null ? null : numberCell(String(Math.round((seconds / 60) * 100) / 100));
const durationCells = (duration: DurationFigure): CsvCell[] => [
  numberCell(duration.count),
  minutes(duration.medianSeconds),
  minutes(duration.p90Seconds),
];
const count = (value: number) => numberCell(value);
const rate = (value: number | null): CsvCell =>
  value === null ? null : numberCell(String(Math.round(value * 100) / 100));
const blanks = (length: number): CsvCell[] => Array.from({ length }, () => null);

/** How many figure columns a group row fills: everything from "items in" to the handling times. */
const figureWidth = reportSummaryCsvHeader.indexOf("active moderator hours") - 2;

function figureCells(of: ReportFigures): CsvCell[] {
  return [
    count(of.itemsIn),
    count(of.repliesSent),
    ...durationCells(of.acknowledged),
    ...durationCells(of.usefulAnswer),
    count(of.firstResponse.met),
    count(of.firstResponse.breached),
    ...durationCells(of.firstResponse),
    count(of.resolution.met),
    count(of.resolution.breached),
    ...durationCells(of.resolution),
    count(of.hidden),
    count(of.deleted),
    count(of.noAction),
    count(of.escalated),
    ...durationCells(of.clientAnswer),
    count(of.handled),
    ...durationCells(of.handlingTime),
  ];
}

/**
 * The report's figures: the total, then each day, hour of day, channel, priority and side of business hours; each
 * moderator's work (handled, handling time, active hours); the backlog at the end of each day (or hour).
 */
export function renderReportSummaryCsv(report: ReportView, options?: CsvOptions): string {
  const group = (name: string, value: string, of: ReportFigures): CsvCell[] => [
    textCell(name),
    textCell(value),
    ...figureCells(of),
    ...blanks(3),
  ];
  const hour = (value: number) => `${String(value).padStart(2, "0")}:00`;
  const rows: CsvCell[][] = [
    [
      textCell("total"),
      textCell(`${report.from} to ${report.to}`),
      ...figureCells(report.totals),
      rate(report.moderatorWork.activeHours),
      rate(report.moderatorWork.handledPerHour),
      null,
    ],
    ...report.byDay.map((day) => group("day", day.date, day)),
    ...report.byHour.map((row) => group("hour of day", hour(row.hour), row)),
    ...report.byChannel.map((row) => group("channel", `${row.clientName} · ${row.channelName}`, row)),
    ...report.byPriority.map((row) => group("priority", row.priority, row)),
    ...report.byBusinessHours.map((row) => group("business hours", row.inHours ? "in hours" : "out of hours", row)),
    ...report.byModerator.map((moderator) => {
      const cells: CsvCell[] = [textCell("moderator"), textCell(moderator.moderatorName), ...blanks(figureWidth)];
      const handled = reportSummaryCsvHeader.indexOf("handled");
      cells.splice(handled, 4, count(moderator.handled), ...durationCells(moderator.handlingTime));
      return [...cells, rate(moderator.activeHours), rate(moderator.handledPerHour), null];
    }),
    ...report.backlog.map((point) => [
      textCell("backlog"),
      textCell(point.hour === null ? point.date : `${point.date} ${hour(point.hour)}`),
      ...blanks(figureWidth + 2),
      count(point.open),
    ]),
  ];
  return writeCsv(reportSummaryCsvHeader, rows, options);
}
