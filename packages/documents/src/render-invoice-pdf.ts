/**
 * The PDF of an invoice, as an account manager sends it to a client: A4, the agency's letterhead,
 * the lines with right-aligned money, the totals, the service-level summary with a compliance
 * chart drawn as vector shapes, a DRAFT watermark on drafts, and "Page n of N" footers.
 * A credit note is the same layout titled "Credit note": it names the invoice it corrects and
 * why, shows its (negative) lines, and totals what is credited instead of what is due.
 *
 * Choices, written down once:
 * - pdfkit's built-in Helvetica (no font files). Its encoding is WinAnsi (Latin-1 plus € – — “ ”
 *   …), so text is mapped into it first: accents that WinAnsi lacks are dropped ("ő" → "o"),
 *   other characters become "?", and an amount whose currency symbol WinAnsi lacks (₹, ₩, ₪…)
 *   is printed with the ISO code instead ("INR 1,234.00"). Scripts such as Japanese or Arabic
 *   need an embedded font: a later change, when a client needs it.
 * - Deterministic: the same document gives the same bytes (CreationDate and the file ID
 *   derive from `issuedOn`), so a finalized invoice can be re-rendered and compared.
 * - Layout is computed, not flowed: every block measures itself and moves to a new page when
 *   it does not fit above the footer, and the lines table repeats its header there.
 */

import type { slaCalendars } from "@parley/contracts/billing";
import { formatMoney, getCurrencyExponent } from "@parley/contracts/billing";
import {
  describeSlaMetric,
  describeTargetMinutes,
  formatCompliancePercent,
  formatMinorAsDecimal,
  formatPercentBound,
  type InvoiceDocument,
  type InvoiceDocumentInput,
  type InvoiceDocumentLine,
  lastDayOfPeriod,
  parseInvoiceDocument,
  type SlaSummaryRow,
} from "@parley/core/billing";

type Pdf = PDFKit.PDFDocument;

const page = { width: 595.28, height: 841.89 };
const margin = { top: 50, left: 50, right: 50 };
const left = margin.left;
const right = page.width - margin.right;
const contentWidth = right - left;
/** Content never goes below this line; the footer lives under it. */
const contentBottom = page.height - 70;
const footerY = page.height - 45;

const colors = {
  ink: "#1f2937",
  muted: "#6b7280",
  rule: "#d1d5db",
  faint: "#e5e7eb",
  headerFill: "#f3f4f6",
  accent: "#1e3a8a",
  totalFill: "#eef2ff",
  met: "#15803d",
  missed: "#b91c1c",
  track: "#e5e7eb",
  watermark: "#9ca3af",
};

const fonts = { regular: "Helvetica", bold: "Helvetica-Bold", oblique: "Helvetica-Oblique" } as const;
type Font = (typeof fonts)[keyof typeof fonts];

// ——— Text in WinAnsi ———

/** Unicode characters that WinAnsi (Windows-1252) encodes above 0x7F outside Latin-1. */
const winAnsiExtras = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");
const lookalikes: Record<string, string> = {
  "\u2212": "-", // minus sign
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "–",
  "\u2009": " ",
  "\u202f": " ",
  "\u2007": " ",
  "\u2002": " ",
  "\u2003": " ",
  "\u200b": "",
  "\u2264": "<=",
  "\u2265": ">=",
  "\u2192": "->",
};

function isWinAnsi(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || winAnsiExtras.has(character);
}

/** Text that Helvetica can show: WinAnsi characters as they are, others approximated or "?". */
export function toWinAnsi(value: string): string {
  let out = "";
  for (const character of value.normalize("NFC")) {
    if (isWinAnsi(character)) out += character;
    else if (Object.hasOwn(lookalikes, character)) out += lookalikes[character];
    else {
      const stripped = character.normalize("NFD").replace(/\p{Mn}/gu, "");
      out += [...stripped].every(isWinAnsi) && stripped.length > 0 ? stripped : "?";
    }
  }
  return out;
}

// ——— Numbers and dates for people ———

const isPrintable = (formatted: string) =>
  [...formatted].every((character) => isWinAnsi(character) || Object.hasOwn(lookalikes, character));

/** "INR 1,234.00": an amount with its ISO code, for currencies whose symbol Helvetica lacks. */
function formatWithCode(minor: number, currency: string, fractionDigits: number): string {
  const magnitude = new Intl.NumberFormat("en-GB", {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(formatMinorAsDecimal(Math.abs(minor), currency) as `${number}`);
  return `${minor < 0 ? "-" : ""}${currency} ${magnitude}`;
}

/** formatMoney, with the ISO code instead of a currency symbol that Helvetica cannot show. */
function formatAmount(minor: number, currency: string): string {
  const formatted = formatMoney(minor, currency);
  return isPrintable(formatted) ? toWinAnsi(formatted) : formatWithCode(minor, currency, getCurrencyExponent(currency));
}

/** A unit price: whole minor units through formatMoney, sub-minor prices (0.125) with their decimals. */
function formatUnitPrice(minor: number, currency: string): string {
  if (Number.isInteger(minor)) return formatAmount(minor, currency);
  const decimal = formatMinorAsDecimal(minor, currency);
  const fractionDigits = Math.max(getCurrencyExponent(currency), decimal.split(".")[1]?.length ?? 0);
  const formatted = new Intl.NumberFormat("en-GB", {
    style: "currency",
    currency,
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(decimal as `${number}`);
  return isPrintable(formatted) ? toWinAnsi(formatted) : formatWithCode(minor, currency, fractionDigits);
}

const countFormat = new Intl.NumberFormat("en-GB");

/** "2026-03-31" → "31 March 2026": a calendar date, so no time zone shifts it. */
function formatLocalDate(value: string): string {
  const [year, month, day] = value.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

const calendarLabels: Record<(typeof slaCalendars)[number], string> = {
  "24x7": "24/7",
  business_hours: "business hours",
};

// ——— Drawing helpers ———

interface TextStyle {
  font?: Font;
  size?: number;
  color?: string;
}

function style(pdf: Pdf, { font = fonts.regular, size = 9, color = colors.ink }: TextStyle): Pdf {
  return pdf.font(font).fontSize(size).fillColor(color);
}

/** One line of text at (x, y), never wrapped, never starting a page. */
function put(pdf: Pdf, value: string, x: number, y: number, textStyle: TextStyle = {}): void {
  style(pdf, textStyle).text(toWinAnsi(value), x, y, { lineBreak: false });
}

interface FitStyle extends TextStyle {
  /** Shrink the font (down to 6 pt) until the text fits this width. */
  maxWidth?: number;
}

/** One line of text starting at `x` (or ending at `x` when `align` is "right"), shrunk to fit. */
function putFit(pdf: Pdf, value: string, x: number, y: number, fit: FitStyle & { align?: "left" | "right" }): void {
  let text = toWinAnsi(value);
  const baseSize = fit.size ?? 9;
  let size = baseSize;
  style(pdf, { ...fit, size });
  const tooWide = () => fit.maxWidth !== undefined && pdf.widthOfString(text) > fit.maxWidth;
  while (tooWide() && size > 6) {
    size -= 0.5;
    pdf.fontSize(size);
  }
  // Still too wide at 6 pt: cut it, visibly. (Amounts never get here: their columns grow.)
  while (tooWide() && text.length > 1) text = `${text.slice(0, -2)}…`;
  const startX = fit.align === "right" ? x - pdf.widthOfString(text) : x;
  pdf.text(text, startX, y + (baseSize - size) / 2, { lineBreak: false });
}

/** The width of one line of text in a style. */
function measure(pdf: Pdf, value: string, textStyle: TextStyle = {}): number {
  return style(pdf, textStyle).widthOfString(toWinAnsi(value));
}

/** One line of text whose right edge is at `rightX`, shrunk to fit `maxWidth`. */
function putRight(pdf: Pdf, value: string, rightX: number, y: number, fit: FitStyle = {}): void {
  putFit(pdf, value, rightX, y, { ...fit, align: "right" });
}

/** Wrapped text in a column; returns its height. */
function putWrapped(pdf: Pdf, value: string, x: number, y: number, width: number, textStyle: TextStyle = {}): number {
  const text = toWinAnsi(value);
  style(pdf, textStyle).text(text, x, y, { width, lineGap: 1.5 });
  return pdf.heightOfString(text, { width, lineGap: 1.5 });
}

function measureWrapped(pdf: Pdf, value: string, width: number, textStyle: TextStyle = {}): number {
  return style(pdf, textStyle).heightOfString(toWinAnsi(value), { width, lineGap: 1.5 });
}

function rule(pdf: Pdf, y: number, color = colors.rule, from = left, to = right, width = 0.75): void {
  pdf.save().moveTo(from, y).lineTo(to, y).lineWidth(width).strokeColor(color).stroke().restore();
}

function label(pdf: Pdf, value: string, x: number, y: number): void {
  put(pdf, value.toUpperCase(), x, y, { font: fonts.bold, size: 7.5, color: colors.muted });
}

/** "Invoice" or "Credit note", as the document calls itself in running text. */
function titleOf(doc: InvoiceDocument): string {
  return doc.kind === "credit_note" ? "Credit note" : "Invoice";
}

// ——— Layout ———

class Layout {
  y = margin.top;

  constructor(
    readonly pdf: Pdf,
    readonly doc: InvoiceDocument,
  ) {}

  /** Moves to a new page unless `height` still fits above the footer; true when it did. */
  ensureSpace(height: number): boolean {
    if (this.y + height <= contentBottom) return false;
    this.pdf.addPage();
    this.drawContinuationHeader();
    return true;
  }

  drawContinuationHeader(): void {
    const { pdf, doc } = this;
    const continued = `${titleOf(doc)} ${doc.number} (continued)`;
    putRight(pdf, continued, right, margin.top, { size: 9, color: colors.muted });
    putFit(pdf, doc.agency.name, left, margin.top, {
      font: fonts.bold,
      size: 10,
      maxWidth: contentWidth - measure(pdf, continued, { size: 9 }) - 24,
    });
    rule(pdf, margin.top + 18);
    this.y = margin.top + 32;
  }

  drawLetterhead(): void {
    const { pdf, doc } = this;
    // Left: the agency.
    let leftY = margin.top;
    const agencyWidth = contentWidth * 0.55;
    leftY += putWrapped(pdf, doc.agency.name, left, leftY, agencyWidth, { font: fonts.bold, size: 15 }) + 4;
    for (const line of doc.agency.addressLines) {
      leftY += putWrapped(pdf, line, left, leftY, agencyWidth, { size: 9, color: colors.muted });
    }
    if (doc.agency.taxId) {
      leftY += putWrapped(pdf, `Tax ID: ${doc.agency.taxId}`, left, leftY, agencyWidth, {
        size: 9,
        color: colors.muted,
      });
    }
    if (doc.agency.email) {
      leftY += putWrapped(pdf, doc.agency.email, left, leftY, agencyWidth, { size: 9, color: colors.muted });
    }
    // Right: the invoice's identity.
    let rightY = margin.top - 2;
    putRight(pdf, titleOf(doc).toUpperCase(), right, rightY, { font: fonts.bold, size: 24, color: colors.accent });
    rightY += 32;
    putRight(pdf, doc.number, right, rightY, { font: fonts.bold, size: 11, maxWidth: contentWidth * 0.4 });
    rightY += 18;
    const facts: Array<[string, string]> = [["Issue date", formatLocalDate(doc.issuedOn)]];
    if (doc.dueOn) facts.push(["Due date", formatLocalDate(doc.dueOn)]);
    if (doc.corrects) {
      facts.push(["Corrects invoice", doc.corrects.number]);
      if (doc.corrects.issuedOn) facts.push(["Invoice date", formatLocalDate(doc.corrects.issuedOn)]);
    }
    if (doc.status === "draft") facts.push(["Status", "Draft – not for payment"]);
    for (const [name, value] of facts) {
      putRight(pdf, value, right, rightY, { size: 9 });
      style(pdf, { size: 9 });
      const valueWidth = pdf.widthOfString(toWinAnsi(value));
      putRight(pdf, name, right - valueWidth - 10, rightY, { size: 9, color: colors.muted });
      rightY += 13;
    }
    this.y = Math.max(leftY, rightY) + 14;
    rule(pdf, this.y, colors.accent, left, right, 1.5);
    this.y += 16;
  }

  drawParties(): void {
    const { pdf, doc } = this;
    const top = this.y;
    const columnWidth = contentWidth / 2 - 16;
    // Bill to.
    label(pdf, doc.kind === "credit_note" ? "Credit to" : "Bill to", left, top);
    let leftY = top + 13;
    leftY += putWrapped(pdf, doc.client.name, left, leftY, columnWidth, { font: fonts.bold, size: 11 }) + 2;
    for (const line of doc.client.addressLines ?? []) {
      leftY += putWrapped(pdf, line, left, leftY, columnWidth, { size: 9, color: colors.ink });
    }
    if (doc.client.taxId) {
      leftY += putWrapped(pdf, `Tax ID: ${doc.client.taxId}`, left, leftY, columnWidth, { size: 9, color: colors.ink });
    }
    // Period and contract.
    const x = left + contentWidth / 2 + 16;
    let rightY = top;
    const block = (name: string, value: string, detail?: string) => {
      label(pdf, name, x, rightY);
      rightY += 13;
      rightY += putWrapped(pdf, value, x, rightY, columnWidth, { size: 9.5 });
      if (detail) rightY += putWrapped(pdf, detail, x, rightY, columnWidth, { size: 8, color: colors.muted });
      rightY += 8;
    };
    block(
      "Service period",
      `${formatLocalDate(doc.period.start)} – ${formatLocalDate(lastDayOfPeriod(doc.period))}`,
      `Times measured in ${doc.period.timeZone}`,
    );
    block("Contract", doc.contractVersion, `Amounts in ${doc.currency}`);
    this.y = Math.max(leftY + 8, rightY) + 6;
  }

  /** Credit notes: which invoice this corrects and why, in a band above the lines. */
  drawCorrection(): void {
    const { pdf, doc } = this;
    if (!doc.corrects) return;
    const { number, issuedOn, reason } = doc.corrects;
    const width = contentWidth - 20;
    const statement = `This credit note corrects invoice ${number}${issuedOn ? ` of ${formatLocalDate(issuedOn)}` : ""}.`;
    const reasonText = `Reason: ${reason}`;
    const height =
      10 +
      measureWrapped(pdf, statement, width, { font: fonts.bold, size: 9.5 }) +
      4 +
      measureWrapped(pdf, reasonText, width, { size: 9 }) +
      10;
    this.ensureSpace(height + 12);
    pdf.save().rect(left, this.y, contentWidth, height).fill(colors.totalFill).restore();
    pdf.save().rect(left, this.y, 3, height).fill(colors.accent).restore();
    let y = this.y + 10;
    y += putWrapped(pdf, statement, left + 10, y, width, { font: fonts.bold, size: 9.5 }) + 4;
    putWrapped(pdf, reasonText, left + 10, y, width, { size: 9 });
    this.y += height + 14;
  }

  // Lines table columns (right edges for numbers).
  readonly columns = {
    description: { x: left + 8, width: 0 },
    quantity: { right: 0, width: 38 },
    unitPrice: { right: 0, width: 72 },
    amount: { right: right - 8, width: 82 },
  };

  /** Money and quantity columns as wide as their widest value (within bounds); the rest describes. */
  private layoutColumns(): void {
    const { pdf, doc } = this;
    const c = this.columns;
    const widest = (values: string[], min: number, max: number) =>
      Math.min(max, Math.max(min, ...values.map((value) => measure(pdf, value, { size: 9 }) + 2)));
    const fees = doc.lines.filter((line) => line.kind !== "service_credit");
    c.amount.width = widest(
      doc.lines.map((line) => formatAmount(line.amountMinor, doc.currency)),
      70,
      120,
    );
    c.unitPrice.width = widest(
      fees.map((line) => formatUnitPrice(line.unitPriceMinor, doc.currency)),
      60,
      100,
    );
    c.quantity.width = widest(
      fees.map((line) => countFormat.format(line.quantity)),
      30,
      55,
    );
    c.unitPrice.right = c.amount.right - c.amount.width - 10;
    c.quantity.right = c.unitPrice.right - c.unitPrice.width - 10;
    c.description.width = c.quantity.right - c.quantity.width - 12 - c.description.x;
  }

  private drawLinesHeader(): void {
    const { pdf } = this;
    const c = this.columns;
    pdf.save().rect(left, this.y, contentWidth, 20).fill(colors.headerFill).restore();
    const y = this.y + 6.5;
    const header = { font: fonts.bold, size: 7.5, color: colors.muted } as const;
    put(pdf, "DESCRIPTION", c.description.x, y, header);
    putRight(pdf, "QTY", c.quantity.right, y, header);
    putRight(pdf, "UNIT PRICE", c.unitPrice.right, y, header);
    putRight(pdf, "AMOUNT", c.amount.right, y, header);
    this.y += 20;
  }

  private lineHeight(line: InvoiceDocumentLine): number {
    return Math.max(measureWrapped(this.pdf, line.description, this.columns.description.width, { size: 9 }), 11) + 10;
  }

  drawLines(): void {
    const { pdf, doc } = this;
    this.layoutColumns();
    const c = this.columns;
    const firstRow = doc.lines[0];
    this.ensureSpace(20 + (firstRow ? this.lineHeight(firstRow) : 24));
    this.drawLinesHeader();
    if (doc.lines.length === 0) {
      put(pdf, "No billable activity in this period.", c.description.x, this.y + 6, { color: colors.muted });
      this.y += 24;
    }
    for (const line of doc.lines) {
      const height = this.lineHeight(line);
      if (this.ensureSpace(height)) this.drawLinesHeader();
      const y = this.y + 5;
      putWrapped(pdf, line.description, c.description.x, y, c.description.width, { size: 9 });
      const money = { size: 9, maxWidth: c.amount.width } as const;
      if (line.kind !== "service_credit") {
        putRight(pdf, countFormat.format(line.quantity), c.quantity.right, y, { size: 9, maxWidth: c.quantity.width });
        putRight(pdf, formatUnitPrice(line.unitPriceMinor, doc.currency), c.unitPrice.right, y, {
          ...money,
          maxWidth: c.unitPrice.width,
        });
      }
      putRight(pdf, formatAmount(line.amountMinor, doc.currency), c.amount.right, y, {
        ...money,
        color: line.amountMinor < 0 ? colors.met : colors.ink,
      });
      this.y += height;
      rule(pdf, this.y, colors.faint, left, right, 0.5);
    }
  }

  /** Whether short notes were printed beside the totals (so drawNotes has nothing left to do). */
  private notesDone = false;

  drawTotals(): void {
    const { pdf, doc } = this;
    const isCreditNote = doc.kind === "credit_note";
    const labels = isCreditNote
      ? { fees: "Fees credited", credits: "Service credits reversed", total: "Total credited" }
      : { fees: "Subtotal (fees)", credits: "Service credits", total: "Total due" };
    const fees = formatAmount(doc.feesMinor, doc.currency);
    const credits = formatAmount(-doc.creditsMinor, doc.currency);
    const total = formatAmount(doc.totalMinor, doc.currency);
    const totalsNote = isCreditNote
      ? "Credited to the client's account: nothing is due on this credit note"
      : doc.creditsMinor > 0
        ? `Credits are capped at ${formatAmount(doc.creditCapMinor, doc.currency)} this period`
        : "";
    const totalStyle = { font: fonts.bold, size: 12 } as const;
    const valueRight = right - 8;
    const valueWidth = Math.min(
      220,
      Math.max(
        80,
        measure(pdf, fees, { size: 9.5 }),
        measure(pdf, credits, { size: 9.5 }),
        measure(pdf, total, totalStyle),
      ),
    );
    const labelRight = valueRight - valueWidth - 16;
    const labelWidth = Math.max(
      measure(pdf, labels.fees, { size: 9.5 }),
      measure(pdf, labels.credits, { size: 9.5 }),
      measure(pdf, labels.total, totalStyle),
    );
    const boxLeft = Math.min(labelRight - labelWidth, valueRight - measure(pdf, totalsNote, { size: 7.5 })) - 16;
    const totalsHeight = 10 + 16 + (totalsNote && !isCreditNote ? 26 : 16) + 32 + (isCreditNote ? 12 : 0);
    // Short notes (payment terms, usually) sit to the left of the totals, as on most invoices.
    const notesWidth = boxLeft - 24 - left;
    const notesHeight = doc.notes ? 24 + measureWrapped(pdf, doc.notes, notesWidth, { size: 8 }) : 0;
    const notesBeside = doc.notes !== undefined && notesWidth >= 150 && notesHeight <= totalsHeight + 24;
    this.ensureSpace(Math.max(totalsHeight, notesBeside ? notesHeight : 0) + 8);
    const top = this.y;
    if (notesBeside && doc.notes) {
      put(pdf, "Notes", left, top + 10, { font: fonts.bold, size: 8.5 });
      putWrapped(pdf, doc.notes, left, top + 24, notesWidth, { size: 8, color: colors.ink });
      this.notesDone = true;
    }
    this.y += 10;
    const row = (name: string, value: string, detail?: string) => {
      putRight(pdf, name, labelRight, this.y, { size: 9.5, color: colors.muted });
      putRight(pdf, value, valueRight, this.y, { size: 9.5, maxWidth: valueWidth });
      this.y += 16;
      if (detail) {
        putRight(pdf, detail, valueRight, this.y - 3, { size: 7.5, color: colors.muted });
        this.y += 10;
      }
    };
    row(labels.fees, fees);
    row(labels.credits, credits, isCreditNote ? undefined : totalsNote || undefined);
    pdf
      .save()
      .rect(boxLeft, this.y + 2, right - boxLeft, 26)
      .fill(colors.totalFill)
      .restore();
    rule(pdf, this.y + 2, colors.accent, boxLeft, right, 1);
    putRight(pdf, labels.total, labelRight, this.y + 9, totalStyle);
    putRight(pdf, total, valueRight, this.y + 9, { ...totalStyle, maxWidth: valueWidth });
    if (isCreditNote) {
      putRight(pdf, totalsNote, valueRight, this.y + 32, { size: 7.5, color: colors.muted });
      this.y += 12;
    }
    this.y = Math.max(this.y + 32, notesBeside ? top + notesHeight + 8 : 0);
  }

  drawSlaSummary(): void {
    const { pdf, doc } = this;
    if (doc.slaSummary.length === 0) return;
    const rowHeight = 18;
    const columns = {
      priority: left + 8,
      metric: left + 52,
      target: left + 134,
      metRight: left + 328,
      complianceRight: left + 386,
      targetPercentRight: left + 434,
      status: left + 444,
    };
    const drawHeader = () => {
      pdf.save().rect(left, this.y, contentWidth, 20).fill(colors.headerFill).restore();
      const y = this.y + 6.5;
      const header = { font: fonts.bold, size: 7.5, color: colors.muted } as const;
      put(pdf, "PRIORITY", columns.priority, y, header);
      put(pdf, "METRIC", columns.metric, y, header);
      put(pdf, "TARGET", columns.target, y, header);
      putRight(pdf, "MET / TOTAL", columns.metRight, y, header);
      putRight(pdf, "COMPLIANCE", columns.complianceRight, y, header);
      putRight(pdf, "TARGET %", columns.targetPercentRight, y, header);
      put(pdf, "RESULT", columns.status, y, header);
      this.y += 20;
    };
    this.y += 6;
    this.ensureSpace(28 + 20 + rowHeight * Math.min(doc.slaSummary.length, 3));
    put(pdf, "Service level summary", left, this.y, { font: fonts.bold, size: 12 });
    this.y += 20;
    drawHeader();
    for (const row of doc.slaSummary) {
      if (this.ensureSpace(rowHeight)) drawHeader();
      const y = this.y + 5;
      put(pdf, row.priority, columns.priority, y, { font: fonts.bold });
      put(pdf, describeSlaMetric(row.metric), columns.metric, y);
      putFit(pdf, `${describeTargetMinutes(row.targetMinutes)}, ${calendarLabels[row.calendar]}`, columns.target, y, {
        maxWidth: 104,
      });
      putRight(pdf, `${countFormat.format(row.met)} / ${countFormat.format(row.total)}`, columns.metRight, y, {
        maxWidth: 84,
      });
      putRight(pdf, `${formatCompliancePercent(row)} %`, columns.complianceRight, y, {
        font: row.missed ? fonts.bold : fonts.regular,
        color: row.missed ? colors.missed : colors.ink,
      });
      putRight(pdf, `${formatPercentBound(row.targetPercent)} %`, columns.targetPercentRight, y);
      if (row.missed) {
        pdf
          .save()
          .circle(columns.status + 3, y + 3.5, 3)
          .fill(colors.missed)
          .restore();
        put(pdf, "Missed", columns.status + 10, y, { font: fonts.bold, color: colors.missed });
      } else {
        put(pdf, "Met", columns.status + 10, y, { color: colors.met });
      }
      this.y += rowHeight;
      rule(pdf, this.y, colors.faint, left, right, 0.5);
    }
    if (doc.slaSummary.some((row) => row.total === 0)) {
      this.y += 5;
      put(pdf, "A target with no items in the period counts as 100 % compliant.", left, this.y, {
        size: 7.5,
        color: colors.muted,
      });
      this.y += 8;
    }
    this.drawComplianceChart(doc.slaSummary);
  }

  /** Horizontal bars, one per target, on a 0–100 % scale, with a marker at the target %. */
  private drawComplianceChart(rows: readonly SlaSummaryRow[]): void {
    const { pdf } = this;
    const barHeight = 9;
    const rowGap = 15;
    const chartLeft = left + 110;
    const chartRight = right - 60;
    const chartWidth = chartRight - chartLeft;
    const xAt = (percent: number) => chartLeft + (chartWidth * Math.min(Math.max(percent, 0), 100)) / 100;
    const chartHeight = 22 + rows.length * rowGap + 16;
    this.y += 12;
    this.ensureSpace(chartHeight);
    put(pdf, "Compliance by target", left, this.y, { font: fonts.bold, size: 9.5 });
    this.drawChartLegend(this.y + 1);
    this.y += 20;
    const top = this.y;
    const bottom = top + rows.length * rowGap - (rowGap - barHeight) + 4;
    // Grid lines and axis labels.
    for (const tick of [0, 25, 50, 75, 100]) {
      const x = xAt(tick);
      pdf
        .save()
        .moveTo(x, top - 4)
        .lineTo(x, bottom)
        .lineWidth(0.5)
        .strokeColor(colors.faint)
        .stroke()
        .restore();
      const tickLabel = `${tick} %`;
      style(pdf, { size: 7, color: colors.muted });
      put(pdf, tickLabel, x - pdf.widthOfString(tickLabel) / 2, bottom + 3, { size: 7, color: colors.muted });
    }
    rows.forEach((row, index) => {
      const y = top + index * rowGap;
      put(pdf, `${row.priority} ${describeSlaMetric(row.metric).toLowerCase()}`, left, y + 1, { size: 8 });
      pdf.save().rect(chartLeft, y, chartWidth, barHeight).fill(colors.track).restore();
      const width = xAt(row.compliancePercent) - chartLeft;
      if (width > 0) {
        pdf
          .save()
          .rect(chartLeft, y, width, barHeight)
          .fill(row.missed ? colors.missed : colors.met)
          .restore();
      }
      const marker = xAt(row.targetPercent);
      pdf
        .save()
        .moveTo(marker, y - 3)
        .lineTo(marker, y + barHeight + 3)
        .lineWidth(1.5)
        .strokeColor(colors.ink)
        .stroke()
        .restore();
      put(pdf, `${formatCompliancePercent(row)} %`, chartRight + 8, y + 1, {
        size: 8,
        font: row.missed ? fonts.bold : fonts.regular,
        color: row.missed ? colors.missed : colors.ink,
      });
    });
    this.y = bottom + 16;
  }

  /** "■ target met  ■ target missed  | compliance target", ending at the right margin. */
  private drawChartLegend(y: number): void {
    const { pdf } = this;
    const entries = ["target met", "target missed", "compliance target"];
    style(pdf, { size: 7.5 });
    const width = entries.reduce((sum, entry) => sum + 12 + pdf.widthOfString(entry), 0) + 2 * 14;
    let x = right - width;
    const swatch = (color: string, text: string) => {
      pdf.save().rect(x, y, 8, 8).fill(color).restore();
      put(pdf, text, x + 12, y + 0.5, { size: 7.5, color: colors.muted });
      style(pdf, { size: 7.5 });
      x += 12 + pdf.widthOfString(text) + 14;
    };
    swatch(colors.met, "target met");
    swatch(colors.missed, "target missed");
    pdf
      .save()
      .moveTo(x + 4, y - 2)
      .lineTo(x + 4, y + 10)
      .lineWidth(1.5)
      .strokeColor(colors.ink)
      .stroke()
      .restore();
    put(pdf, "compliance target", x + 12, y + 0.5, { size: 7.5, color: colors.muted });
  }

  drawNotes(): void {
    const { pdf, doc } = this;
    if (!doc.notes || this.notesDone) return;
    const height = measureWrapped(pdf, doc.notes, contentWidth, { size: 9 });
    this.y += 8;
    this.ensureSpace(Math.min(height, contentBottom - margin.top - 60) + 20);
    put(pdf, "Notes", left, this.y, { font: fonts.bold, size: 9.5 });
    this.y += 15;
    // Notes longer than the rest of the page continue on the next ones, paragraph by paragraph.
    for (const paragraph of doc.notes.split(/\r?\n/)) {
      const paragraphHeight = measureWrapped(pdf, paragraph || " ", contentWidth, { size: 9 });
      this.ensureSpace(Math.min(paragraphHeight, contentBottom - margin.top - 40));
      this.y += putWrapped(pdf, paragraph || " ", left, this.y, contentWidth, { size: 9 }) + 3;
    }
  }

  /** Footer and watermark on every page, once the page count is known. */
  finishPages(): void {
    const { pdf, doc } = this;
    const range = pdf.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index++) {
      pdf.switchToPage(index);
      if (doc.status === "draft") this.drawWatermark();
      rule(pdf, footerY - 8, colors.rule, left, right, 0.5);
      const footerLeft = `${doc.agency.name} · ${titleOf(doc)} ${doc.number} · ${formatLocalDate(doc.issuedOn)}`;
      style(pdf, { size: 7.5 });
      const pageText = `Page ${index - range.start + 1} of ${range.count}`;
      const pageWidth = pdf.widthOfString(pageText);
      putFit(pdf, footerLeft, left, footerY, {
        size: 7.5,
        color: colors.muted,
        maxWidth: contentWidth - pageWidth - 20,
      });
      putRight(pdf, pageText, right, footerY, { size: 7.5, color: colors.muted });
    }
  }

  private drawWatermark(): void {
    const { pdf } = this;
    const text = "DRAFT";
    pdf.save();
    pdf.rotate(-35, { origin: [page.width / 2, page.height / 2] });
    style(pdf, { font: fonts.bold, size: 130, color: colors.watermark });
    pdf.fillOpacity(0.14);
    const width = pdf.widthOfString(text);
    pdf.text(text, page.width / 2 - width / 2, page.height / 2 - 50, { lineBreak: false });
    pdf.restore();
  }
}

/**
 * Renders an invoice document as an A4 PDF. Throws BAD_INPUT for a snapshot that does not
 * add up (see invoice-document). Same document, same bytes.
 */
export async function renderInvoicePdf(input: InvoiceDocumentInput): Promise<Buffer> {
  const doc = parseInvoiceDocument(input);
  const issued = new Date(`${doc.issuedOn}T00:00:00Z`);
  // Loaded on the first render, not with the server: pdfkit is among the slowest modules to load.
  const { default: PDFDocument } = await import("pdfkit");
  const pdf = new PDFDocument({
    size: "A4",
    margins: { top: margin.top, left, right: margin.right, bottom: page.height - contentBottom },
    bufferPages: true,
    info: {
      Title: toWinAnsi(`${titleOf(doc)} ${doc.number}`),
      Author: toWinAnsi(doc.agency.name),
      Subject: toWinAnsi(`${titleOf(doc)} ${doc.number} for ${doc.client.name}`),
      Creator: "Parley",
      Producer: "Parley",
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });
  const layout = new Layout(pdf, doc);
  layout.drawLetterhead();
  layout.drawParties();
  layout.drawCorrection();
  layout.drawLines();
  layout.drawTotals();
  layout.drawSlaSummary();
  layout.drawNotes();
  layout.finishPages();
  pdf.end();
  return done;
}
