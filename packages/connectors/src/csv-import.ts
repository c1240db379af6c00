import { AppError } from "@parley/contracts";
import { type InputIssue, reportBadInput } from "./bad-input";
import { type InboundItem, inboundItem, itemTimeProblem } from "./inbound-item";

export const itemsCsvColumns = [
  "externalId",
  "kind",
  "threadExternalId",
  "parentExternalId",
  "authorExternalId",
  "authorHandle",
  "authorDisplayName",
  "body",
  "language",
  "createdAt",
  "url",
] as const;
type ItemsCsvColumn = (typeof itemsCsvColumns)[number];

/** Columns that may be left out of the header entirely; the others must be there (their cells may still be bad). */
const optionalColumns: ReadonlySet<ItemsCsvColumn> = new Set([
  "threadExternalId",
  "parentExternalId",
  "authorDisplayName",
  "language",
  "url",
]);

export const maxCsvRows = 50_000;

interface CsvRecord {
  /** 1-based line on which the record starts (a quoted field may span several lines). */
  line: number;
  fields: string[];
}

/**
 * Parses the CSV backfill: RFC 4180 (comma-separated, `"`-quoted fields with `""` for a quote, commas and line
 * breaks inside quotes, CRLF or LF line ends), a header row naming the `itemsCsvColumns` in any order (the
 * optional ones may be left out), and one item per row, validated like every inbound item. Blank lines and a
 * UTF-8 BOM are ignored; an empty cell is an absent value; `createdAt` must lie between 2000-01-01 and a day after
 * `now`. All or nothing: BAD_INPUT names `line <n>.<column>` for every bad cell.
 */
export function parseItemsCsv(text: string, { now }: { now: Date }): InboundItem[] {
  const [header, ...rows] = readCsvRecords(text.replace(/^\uFEFF/, ""));
  if (header === undefined) throw reportBadInput([{ path: ["line 1"], message: "must be the header row" }]);
  const columns = readHeader(header);
  if (rows.length > maxCsvRows) {
    throw new AppError("LIMIT_EXCEEDED", `A CSV import holds at most ${maxCsvRows} rows; this one has ${rows.length}`, {
      reason: "csv_too_large",
      limit: maxCsvRows,
      received: rows.length,
    });
  }
  const items: InboundItem[] = [];
  const issues: InputIssue[] = [];
  for (const row of rows) {
    const lineKey = `line ${row.line}`;
    if (row.fields.length !== columns.length) {
      issues.push({ path: [lineKey], message: `has ${row.fields.length} fields, expected ${columns.length}` });
      continue;
    }
    const result = inboundItem.safeParse(buildItemInput({ columns, fields: row.fields }));
    if (result.success) {
      const timeProblem = itemTimeProblem(result.data.createdAt, now);
      if (timeProblem) issues.push({ path: [lineKey, "createdAt"], message: timeProblem });
      else items.push(result.data);
    } else {
      for (const issue of result.error.issues) {
        issues.push({ path: [lineKey, columnOf(issue.path)], message: issue.message });
      }
    }
  }
  if (issues.length > 0) throw reportBadInput(issues);
  return items;
}

function readHeader(header: CsvRecord): ItemsCsvColumn[] {
  const known: ReadonlySet<string> = new Set(itemsCsvColumns);
  const names = header.fields.map((name) => name.trim());
  const issues: InputIssue[] = [];
  names.forEach((name, index) => {
    if (!known.has(name)) {
      issues.push({ path: ["line 1", name || `column ${index + 1}`], message: "is not a known column" });
    } else if (names.indexOf(name) !== index) {
      issues.push({ path: ["line 1", name], message: "appears twice" });
    }
  });
  for (const column of itemsCsvColumns) {
    if (!optionalColumns.has(column) && !names.includes(column)) {
      issues.push({ path: ["line 1", column], message: "is a required column" });
    }
  }
  if (issues.length > 0) throw reportBadInput(issues);
  return names as ItemsCsvColumn[];
}

/** The row in the schema's shape; cells stay untyped so the schema reports missing or malformed ones. */
function buildItemInput({ columns, fields }: { columns: ItemsCsvColumn[]; fields: string[] }): Record<string, unknown> {
  const cells = new Map<ItemsCsvColumn, string>();
  columns.forEach((column, index) => {
    const value = fields[index];
    if (value !== undefined && value !== "") cells.set(column, value);
  });
  return {
    externalId: cells.get("externalId"),
    kind: cells.get("kind"),
    threadExternalId: cells.get("threadExternalId"),
    parentExternalId: cells.get("parentExternalId"),
    author: {
      externalId: cells.get("authorExternalId"),
      handle: cells.get("authorHandle"),
      displayName: cells.get("authorDisplayName"),
    },
    body: cells.get("body"),
    language: cells.get("language"),
    createdAt: cells.get("createdAt"),
    url: cells.get("url"),
  };
}

/** The schema's path (`author.handle`) as the CSV column it came from (`authorHandle`). */
function columnOf(path: ReadonlyArray<PropertyKey>): string {
  const [head, field] = path.map(String);
  if (head === "author" && field) return `author${field.charAt(0).toUpperCase()}${field.slice(1)}`;
  return head ?? "(row)";
}

function throwCsvSyntax(line: number, message: string): never {
  throw reportBadInput([{ path: [`line ${line}`], message }]);
}

/** RFC 4180 records, each with the line it starts on; fully blank lines are skipped. */
function readCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let recordLine = 1;
  let line = 1;
  let index = 0;
  const endRecord = () => {
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
    recordLine = line;
  };
  while (index < text.length) {
    let value = "";
    if (text[index] === '"') {
      const openedOn = line;
      index += 1;
      for (;;) {
        const char = text[index];
        if (char === undefined) throwCsvSyntax(openedOn, "has a quoted field that is never closed");
        if (char === '"') {
          if (text[index + 1] !== '"') break;
          value += '"';
          index += 2;
          continue;
        }
        if (char === "\n") line += 1;
        value += char;
        index += 1;
      }
      index += 1;
      const next = text[index];
      if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") {
        throwCsvSyntax(line, "has text after a closing quote (double a quote inside a quoted field)");
      }
    } else {
      let end = index;
      while (end < text.length && text[end] !== "," && text[end] !== "\r" && text[end] !== "\n") end += 1;
      value = text.slice(index, end);
      if (value.includes('"')) {
        throwCsvSyntax(line, "has a quote in an unquoted field (quote the field, double the quote)");
      }
      index = end;
    }
    fields.push(value);
    const delimiter = text[index];
    if (delimiter === ",") {
      index += 1;
      // A trailing comma at the very end still closes one last, empty field.
      if (index === text.length) fields.push("");
      continue;
    }
    if (delimiter === "\r") index += text[index + 1] === "\n" ? 2 : 1;
    else if (delimiter === "\n") index += 1;
    line += 1;
    endRecord();
  }
  if (fields.length > 0) endRecord();
  return records;
}
