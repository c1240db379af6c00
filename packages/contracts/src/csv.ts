/**
 * CSV as Parley writes it (invoice exports, the SLA month), written down once:
 * - RFC 4180: a header row, CRLF after every row (the last one too), fields quoted only when they hold a comma, a
 *   double quote, CR or LF, with quotes doubled.
 * - Formula injection: a TEXT cell starting with = + - @ (or their full-width forms), tab, CR or LF gets a leading
 *   `'`, so a spreadsheet shows it instead of evaluating it. Number cells are never prefixed: `-271.50` stays a number.
 * - A UTF-8 byte-order mark starts the file by default: without it Excel reads "€", "–" or "Müller" as mojibake.
 *   Pass `byteOrderMark: false` for tools that expect none.
 */

export interface CsvOptions {
  /** Start the text with U+FEFF (default true) so spreadsheets detect UTF-8. */
  byteOrderMark?: boolean;
}

/** A cell: text is guarded against formula injection, numbers are written as they are. */
export type CsvCell = { text: string } | { number: string } | null;

export const textCell = (value: string): CsvCell => ({ text: value });

/** A plain decimal (`12`, `-271.50`); anything else is a bug in the caller. */
export const numberCell = (value: string | number): CsvCell => {
  const written = String(value);
  if (!/^-?\d+(\.\d+)?$/.test(written)) throw new RangeError(`${written} is not a plain decimal`);
  return { number: written };
};

const formulaStart = /^[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]/;

/** Quotes a field when RFC 4180 requires it. */
function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

function writeCell(cell: CsvCell): string {
  if (cell === null) return "";
  if ("number" in cell) return cell.number;
  return quote(formulaStart.test(cell.text) ? `'${cell.text}` : cell.text);
}

/** Rows alone, each ending in CRLF: what a streamed file sends after its `writeCsv` head. */
export function writeCsvRows(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((row) => `${row.map(writeCell).join(",")}\r\n`).join("");
}

/** The file's text: `header` as text cells, then `rows`. */
export function writeCsv(
  header: readonly string[],
  rows: readonly (readonly CsvCell[])[],
  options: CsvOptions = {},
): string {
  const bom = options.byteOrderMark === false ? "" : "\ufeff";
  return `${bom}${writeCsvRows([header.map(textCell), ...rows])}`;
}
