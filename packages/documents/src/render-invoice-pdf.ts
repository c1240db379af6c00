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

import { formatMoney, getCurrencyExponent } from "@parley/contracts/billing";
import {
  formatMinorAsDecimal,
  type InvoiceDocument,
  type InvoiceDocumentInput,
  type InvoiceDocumentLine,
  lastDayOfPeriod,
  parseInvoiceDocument,
} from "@parley/core/billing";
import {
  colors,
  contentBottom,
  contentWidth,
  countFormat,
  fonts,
  formatLocalDate,
  isPrintable,
  label,
  left,
  margin,
  measure,
  measureWrapped,
  type Pdf,
  PdfLayout,
  put,
  putFit,
  putRight,
  putWrapped,
  renderPdf,
  right,
  rule,
  style,
  toWinAnsi,
} from "./pdf-layout";

export { toWinAnsi } from "./pdf-layout";

// ——— Numbers and dates for people ———

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

/** "Invoice" or "Credit note", as the document calls itself in running text. */
function titleOf(doc: InvoiceDocument): string {
  return doc.kind === "credit_note" ? "Credit note" : "Invoice";
}

// ——— Layout ———

class Layout extends PdfLayout {
  constructor(
    pdf: Pdf,
    readonly doc: InvoiceDocument,
  ) {
    super(pdf);
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

  /** Footer and, on drafts, the watermark on every page. */
  finish(): void {
    const { doc } = this;
    this.finishPages(
      `${doc.agency.name} · ${titleOf(doc)} ${doc.number} · ${formatLocalDate(doc.issuedOn)}`,
      doc.status === "draft" ? "DRAFT" : undefined,
    );
  }
}

/**
 * Renders an invoice document as an A4 PDF. Throws BAD_INPUT for a snapshot that does not
 * add up (see invoice-document). Same document, same bytes.
 */
export async function renderInvoicePdf(input: InvoiceDocumentInput): Promise<Buffer> {
  const doc = parseInvoiceDocument(input);
  return renderPdf(
    {
      title: `${titleOf(doc)} ${doc.number}`,
      author: doc.agency.name,
      subject: `${titleOf(doc)} ${doc.number} for ${doc.client.name}`,
      createdOn: doc.issuedOn,
    },
    (pdf) => {
      const layout = new Layout(pdf, doc);
      layout.drawLetterhead();
      layout.drawParties();
      layout.drawCorrection();
      layout.drawLines();
      layout.drawTotals();
      layout.drawSlaSummary(doc.slaSummary, "Service level summary");
      layout.drawNotes();
      layout.finish();
    },
  );
}
