/**
 * CSV exports of an invoice: its lines and the per-item SLA evidence behind its credits. Pure:
 * returns the file's text; the caller sends it (`text/csv; charset=utf-8`).
 *
 * Written with `writeCsv` (@parley/contracts: RFC 4180, formula-injection guard, byte-order mark). Amounts
 * are plain decimals in major units with '.' and the currency's exponent, no symbol or grouping
 * (`1234.50`, JPY `1234`, KWD `1.234`), so every spreadsheet reads them as numbers; the currency is a
 * column of its own.
 */
import {
  AppError,
  type CsvCell,
  type CsvOptions,
  isValidTimeZone,
  numberCell,
  textCell,
  writeCsv,
} from "@parley/contracts";
import {
  formatCompliancePercent,
  formatMinorAsDecimal,
  formatPercentBound,
  type InvoiceDocumentInput,
  type InvoiceEvidenceRowInput,
  parseInvoiceDocument,
  parseInvoiceEvidenceRows,
} from "@parley/core/billing";
import { localTimeFormatter } from "./local-time";

export const invoiceLinesCsvHeader = [
  "kind",
  "description",
  "quantity",
  "unit price",
  "amount",
  "currency",
  "met",
  "total",
  "compliance %",
  "target %",
  "tier",
  "credit %",
  "capped",
  "invoice number",
  "issued on",
  "due on",
] as const;

/**
 * One row per invoice line, in the invoice's order, each ending with the invoice's number, issue
 * date and due date (empty when none, e.g. a credit note). Service-credit lines also fill the evidence
 * columns (items met and total, compliance truncated to 2 decimals, the target, the credit tier
 * as `[from, to)` and its credit %, and whether the cap reduced the credit). The amounts add up
 * to the invoice's total. Throws BAD_INPUT for a snapshot that does not add up.
 */
export function renderInvoiceLinesCsv(input: InvoiceDocumentInput, options?: CsvOptions): string {
  const doc = parseInvoiceDocument(input);
  const money = (minor: number) => numberCell(formatMinorAsDecimal(minor, doc.currency));
  const rows = doc.lines.map((line): CsvCell[] => {
    const evidence = line.evidence;
    return [
      textCell(line.kind),
      textCell(line.description),
      numberCell(line.quantity),
      money(line.unitPriceMinor),
      money(line.amountMinor),
      textCell(doc.currency),
      ...(evidence
        ? [
            numberCell(evidence.met),
            numberCell(evidence.total),
            numberCell(formatCompliancePercent(evidence)),
            numberCell(formatPercentBound(evidence.targetPercent)),
            evidence.tier
              ? textCell(
                  `[${formatPercentBound(evidence.tier.fromPercent)}, ${formatPercentBound(evidence.tier.toPercent)})`,
                )
              : null,
            numberCell(formatPercentBound(evidence.creditPercent)),
            textCell(evidence.capped ? "yes" : "no"),
          ]
        : [null, null, null, null, null, null, null]),
      // The document's identity on every row, so a row pasted elsewhere still says which invoice and when due.
      textCell(doc.number),
      textCell(doc.issuedOn),
      doc.dueOn ? textCell(doc.dueOn) : null,
    ];
  });
  return writeCsv(invoiceLinesCsvHeader, rows, options);
}

export interface EvidenceCsvOptions extends CsvOptions {
  /**
   * Write times as local "YYYY-MM-DD HH:mm:ss" in this IANA zone (the client's), which
   * spreadsheets read as date-times; the header names the zone. Default: UTC.
   */
  timeZone?: string;
}

/** Minutes with at most 2 decimals, as a plain decimal. */
function formatMinutes(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * One row per item clock (item × metric), in the order given: the evidence behind the SLA
 * figures of an invoice. Throws BAD_INPUT for a malformed row.
 */
export function renderInvoiceEvidenceCsv(
  input: readonly InvoiceEvidenceRowInput[],
  options?: EvidenceCsvOptions,
): string {
  const rows = parseInvoiceEvidenceRows(input);
  const zone = options?.timeZone ?? "UTC";
  if (!isValidTimeZone(zone)) {
    throw new AppError("BAD_INPUT", `Unknown time zone ${zone}`, {
      reason: "validation",
      fields: { timeZone: "must be an IANA time zone such as Europe/London" },
    });
  }
  const formatTime = localTimeFormatter(zone);
  const header = [
    "item id",
    "channel",
    "priority",
    "metric",
    `received at (${zone})`,
    `due at (${zone})`,
    `stopped at (${zone})`,
    "business minutes",
    "client-side minutes",
    "met",
  ];
  const cells = rows.map((row): CsvCell[] => [
    textCell(row.itemId),
    textCell(row.channel),
    textCell(row.priority),
    textCell(row.metric),
    textCell(formatTime(row.receivedAt)),
    textCell(formatTime(row.dueAt)),
    row.stoppedAt ? textCell(formatTime(row.stoppedAt)) : null,
    numberCell(formatMinutes(row.businessMinutes)),
    numberCell(formatMinutes(row.clientSideMinutes)),
    textCell(row.met ? "yes" : "no"),
  ]);
  return writeCsv(header, cells, options);
}
