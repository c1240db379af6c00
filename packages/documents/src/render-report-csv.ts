/**
 * A report as CSV. The one-row-per-item export (Reports → Export items, `GET /v1/reports/items.csv`): each item with
 * what happened to it, times local to its client's zone (named in the last column), written in pages so a large
 * export streams: `reportItemsCsvHead` once, then `reportItemsCsvRows` per page. The summary (Reports → Export
 * summary, `GET /v1/reports/summary.csv`): one row per group of figures (`renderReportSummaryCsv`).
 */
import { type CsvCell, type CsvOptions, numberCell, textCell, writeCsv, writeCsvRows } from "@parley/contracts";
import type { DurationFigure, ReportFigures, ReportItemRow, ReportView } from "@parley/core/reports";
import { localTimeFormatter } from "./local-time";

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

const formatters = new Map<string, (value: Date) => string>();
function formatIn(timeZone: string, value: Date | null): CsvCell {
  if (!value) return null;
  let format = formatters.get(timeZone);
  if (!format) {
    format = localTimeFormatter(timeZone);
    formatters.set(timeZone, format);
  }
  return textCell(format(value));
}

const minutesBetween = (from: Date, to: Date | null): CsvCell =>
  to ? numberCell(String(Math.round(((to.getTime() - from.getTime()) / 60_000) * 100) / 100)) : null;

const text = (value: string | null) => (value === null || value === "" ? null : textCell(value));

function cellsOf(row: ReportItemRow, itemLink: (itemId: string) => string): CsvCell[] {
  const at = (value: Date | null) => formatIn(row.timeZone, value);
  return [
    textCell(row.id),
    textCell(itemLink(row.id)),
    textCell(row.clientName),
    textCell(row.channelName),
    textCell(row.platform),
    text(row.customerId),
    textCell(row.authorHandle),
    text(row.categoryKey),
    text(row.tags.join(" ")),
    textCell(row.priority),
    textCell(row.status),
    text(row.moderationAction),
    text(row.moderators.join("; ")),
    at(row.createdAt),
    at(row.receivedAt),
    at(row.acknowledgedAt),
    at(row.usefulAnswerAt),
    minutesBetween(row.createdAt, row.acknowledgedAt),
    minutesBetween(row.createdAt, row.usefulAnswerAt),
    text(row.firstResponseState),
    text(row.resolutionState),
    at(row.resolvedAt),
    textCell(row.escalatedAt ? "yes" : "no"),
    at(row.escalatedAt),
    at(row.escalationAnsweredAt),
    textCell(row.inHours ? "yes" : "no"),
    row.handlingSeconds === null ? null : numberCell(String(Math.round((row.handlingSeconds / 60) * 100) / 100)),
    text(row.deliveryStatus),
    textCell(row.timeZone),
  ];
}

/** The file's start: byte-order mark, header and the first page's rows. */
export function reportItemsCsvHead(
  rows: readonly ReportItemRow[],
  itemLink: (itemId: string) => string,
  options?: CsvOptions,
): string {
  return writeCsv(
    reportItemsCsvHeader,
    rows.map((row) => cellsOf(row, itemLink)),
    options,
  );
}

/** A later page's rows. */
export function reportItemsCsvRows(rows: readonly ReportItemRow[], itemLink: (itemId: string) => string): string {
  return writeCsvRows(rows.map((row) => cellsOf(row, itemLink)));
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
