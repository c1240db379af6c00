/**
 * What Parley's PDFs share (pdfkit; the invoice and the monthly client report): A4 geometry and colours,
 * Helvetica text mapped into WinAnsi, one-line and wrapped text that measures itself, a computed layout that
 * moves to a new page when a block does not fit above the footer, the SLA summary table with its compliance
 * chart, "Page n of N" footers, and a deterministic document (same input, same bytes).
 */

import type { slaCalendars } from "@parley/contracts/billing";
import {
  describeSlaMetric,
  describeTargetMinutes,
  formatCompliancePercent,
  formatPercentBound,
  type SlaSummaryRow,
} from "@parley/core/billing";

export type Pdf = PDFKit.PDFDocument;

export const page = { width: 595.28, height: 841.89 };
export const margin = { top: 50, left: 50, right: 50 };
export const left = margin.left;
export const right = page.width - margin.right;
export const contentWidth = right - left;
/** Content never goes below this line; the footer lives under it. */
export const contentBottom = page.height - 70;
export const footerY = page.height - 45;

export const colors = {
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

export const fonts = { regular: "Helvetica", bold: "Helvetica-Bold", oblique: "Helvetica-Oblique" } as const;
export type Font = (typeof fonts)[keyof typeof fonts];

// ——— Text in WinAnsi ———

/** Unicode characters that WinAnsi (Windows-1252) encodes above 0x7F outside Latin-1. */
export const winAnsiExtras = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");
export const lookalikes: Record<string, string> = {
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

export function isWinAnsi(character: string): boolean {
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

export const isPrintable = (formatted: string) =>
  [...formatted].every((character) => isWinAnsi(character) || Object.hasOwn(lookalikes, character));

export const countFormat = new Intl.NumberFormat("en-GB");

/** "2026-03-31" → "31 March 2026": a calendar date, so no time zone shifts it. */
export function formatLocalDate(value: string): string {
  const [year, month, day] = value.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

export const calendarLabels: Record<(typeof slaCalendars)[number], string> = {
  "24x7": "24/7",
  business_hours: "business hours",
};

// ——— Drawing helpers ———

export interface TextStyle {
  font?: Font;
  size?: number;
  color?: string;
}

export function style(pdf: Pdf, { font = fonts.regular, size = 9, color = colors.ink }: TextStyle): Pdf {
  return pdf.font(font).fontSize(size).fillColor(color);
}

/** One line of text at (x, y), never wrapped, never starting a page. */
export function put(pdf: Pdf, value: string, x: number, y: number, textStyle: TextStyle = {}): void {
  style(pdf, textStyle).text(toWinAnsi(value), x, y, { lineBreak: false });
}

export interface FitStyle extends TextStyle {
  /** Shrink the font (down to 6 pt) until the text fits this width. */
  maxWidth?: number;
}

/** One line of text starting at `x` (or ending at `x` when `align` is "right"), shrunk to fit. */
export function putFit(
  pdf: Pdf,
  value: string,
  x: number,
  y: number,
  fit: FitStyle & { align?: "left" | "right" },
): void {
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
export function measure(pdf: Pdf, value: string, textStyle: TextStyle = {}): number {
  return style(pdf, textStyle).widthOfString(toWinAnsi(value));
}

/** One line of text whose right edge is at `rightX`, shrunk to fit `maxWidth`. */
export function putRight(pdf: Pdf, value: string, rightX: number, y: number, fit: FitStyle = {}): void {
  putFit(pdf, value, rightX, y, { ...fit, align: "right" });
}

/** Wrapped text in a column; returns its height. */
export function putWrapped(
  pdf: Pdf,
  value: string,
  x: number,
  y: number,
  width: number,
  textStyle: TextStyle = {},
): number {
  const text = toWinAnsi(value);
  style(pdf, textStyle).text(text, x, y, { width, lineGap: 1.5 });
  return pdf.heightOfString(text, { width, lineGap: 1.5 });
}

export function measureWrapped(pdf: Pdf, value: string, width: number, textStyle: TextStyle = {}): number {
  return style(pdf, textStyle).heightOfString(toWinAnsi(value), { width, lineGap: 1.5 });
}

export function rule(pdf: Pdf, y: number, color = colors.rule, from = left, to = right, width = 0.75): void {
  pdf.save().moveTo(from, y).lineTo(to, y).lineWidth(width).strokeColor(color).stroke().restore();
}

export function label(pdf: Pdf, value: string, x: number, y: number): void {
  put(pdf, value.toUpperCase(), x, y, { font: fonts.bold, size: 7.5, color: colors.muted });
}

// ——— Layout ———

/** A document laid out top to bottom: `y` is where the next block goes. */
export abstract class PdfLayout {
  y = margin.top;

  constructor(readonly pdf: Pdf) {}

  /** What a page after the first starts with (sets `y` below it). */
  abstract drawContinuationHeader(): void;

  /** Moves to a new page unless `height` still fits above the footer; true when it did. */
  ensureSpace(height: number): boolean {
    if (this.y + height <= contentBottom) return false;
    this.pdf.addPage();
    this.drawContinuationHeader();
    return true;
  }

  /** The SLA targets against the period (the invoice's rows and rule), then a compliance chart. */
  drawSlaSummary(rows: readonly SlaSummaryRow[], heading: string): void {
    const { pdf } = this;
    if (rows.length === 0) return;
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
    this.ensureSpace(28 + 20 + rowHeight * Math.min(rows.length, 3));
    put(pdf, heading, left, this.y, { font: fonts.bold, size: 12 });
    this.y += 20;
    drawHeader();
    for (const row of rows) {
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
    if (rows.some((row) => row.total === 0)) {
      this.y += 5;
      put(pdf, "A target with no items in the period counts as 100 % compliant.", left, this.y, {
        size: 7.5,
        color: colors.muted,
      });
      this.y += 8;
    }
    this.drawComplianceChart(rows);
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

  /** Footer ("left text · Page n of N") and, when asked, a watermark on every page, once the page count is known. */
  finishPages(footerLeft: string, watermark?: string): void {
    const { pdf } = this;
    const range = pdf.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index++) {
      pdf.switchToPage(index);
      if (watermark) this.drawWatermark(watermark);
      rule(pdf, footerY - 8, colors.rule, left, right, 0.5);
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

  private drawWatermark(text: string): void {
    const { pdf } = this;
    pdf.save();
    pdf.rotate(-35, { origin: [page.width / 2, page.height / 2] });
    style(pdf, { font: fonts.bold, size: 130, color: colors.watermark });
    pdf.fillOpacity(0.14);
    const width = pdf.widthOfString(text);
    pdf.text(text, page.width / 2 - width / 2, page.height / 2 - 50, { lineBreak: false });
    pdf.restore();
  }
}

/** Document facts; `createdOn` (a local date) fixes CreationDate and the file ID, so the bytes are deterministic. */
export interface PdfInfo {
  title: string;
  author: string;
  subject: string;
  createdOn: string;
}

/** Lays out an A4 document with `draw` and returns its bytes. */
export async function renderPdf(info: PdfInfo, draw: (pdf: Pdf) => void): Promise<Buffer> {
  const created = new Date(`${info.createdOn}T00:00:00Z`);
  // Loaded on the first render, not with the server: pdfkit is among the slowest modules to load.
  const { default: PDFDocument } = await import("pdfkit");
  const pdf = new PDFDocument({
    size: "A4",
    margins: { top: margin.top, left, right: margin.right, bottom: page.height - contentBottom },
    bufferPages: true,
    info: {
      Title: toWinAnsi(info.title),
      Author: toWinAnsi(info.author),
      Subject: toWinAnsi(info.subject),
      Creator: "Parley",
      Producer: "Parley",
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });
  draw(pdf);
  pdf.end();
  return done;
}
