/**
 * A report's one-row-per-item export (Reports → Export, `GET /v1/reports/items.csv`): each item with what
 * happened to it, times local to its client's zone (named in the last column). Written in pages so a large
 * export streams: `reportItemsCsvHead` once, then `reportItemsCsvRows` per page.
 */
import { type CsvCell, type CsvOptions, numberCell, textCell, writeCsv, writeCsvRows } from "@parley/contracts";
import type { ReportItemRow } from "@parley/core/reports";
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
  "escalated at",
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
    at(row.escalatedAt),
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
