/**
 * The monthly client report as a PDF (A4, the invoice's layout pieces, pdf-layout): the agency's header, the SLA
 * summary against the contract with its compliance chart, volumes and the two answer times, volumes by channel
 * and by priority, and the notable escalations. Deterministic: the bytes depend on the report and its `asOf` day.
 */
import { describeTargetMinutes } from "@parley/core/billing";
import type { DurationFigure, MonthlyClientReport } from "@parley/core/reports";
import { localTimeFormatter } from "./local-time";
import {
  colors,
  contentWidth,
  countFormat,
  fonts,
  formatLocalDate,
  left,
  margin,
  type Pdf,
  PdfLayout,
  put,
  putFit,
  putRight,
  putWrapped,
  renderPdf,
  right,
  rule,
} from "./pdf-layout";

/** "November 2026". */
export function formatMonth(month: string): string {
  const [year, monthNumber] = month.split("-").map(Number) as [number, number];
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, monthNumber - 1, 1)),
  );
}

/** A wait for people: "45 s", "35 min", "1 h 42 min", "2 d 3 h"; "–" when there is none. */
export function formatWait(seconds: number | null): string {
  if (seconds === null) return "–";
  if (seconds < 59.5) return `${Math.round(seconds)} s`;
  return describeTargetMinutes(Math.round(seconds / 60));
}

interface Column {
  title: string;
  width: number;
  align?: "left" | "right";
}

class ReportLayout extends PdfLayout {
  constructor(
    pdf: Pdf,
    readonly report: MonthlyClientReport,
  ) {
    super(pdf);
  }

  drawContinuationHeader(): void {
    const { pdf, report } = this;
    const continued = `Monthly report ${report.clientName}, ${formatMonth(report.month)} (continued)`;
    putRight(pdf, continued, right, margin.top, { size: 9, color: colors.muted, maxWidth: contentWidth * 0.6 });
    putFit(pdf, report.agencyName, left, margin.top, { font: fonts.bold, size: 10, maxWidth: contentWidth * 0.35 });
    rule(pdf, margin.top + 18);
    this.y = margin.top + 32;
  }

  drawHeader(): void {
    const { pdf, report } = this;
    let leftY = margin.top;
    leftY += putWrapped(pdf, report.agencyName, left, leftY, contentWidth * 0.5, { font: fonts.bold, size: 15 }) + 4;
    leftY += putWrapped(pdf, `for ${report.clientName}`, left, leftY, contentWidth * 0.5, { size: 10 });
    let rightY = margin.top - 2;
    putRight(pdf, "MONTHLY REPORT", right, rightY, { font: fonts.bold, size: 22, color: colors.accent });
    rightY += 30;
    putRight(pdf, formatMonth(report.month), right, rightY, { font: fonts.bold, size: 11 });
    rightY += 16;
    const facts = [
      `${formatLocalDate(report.from)} – ${formatLocalDate(report.to)}`,
      `Times in ${report.timeZone}`,
      `Figures as of ${formatLocalDate(localTimeFormatter(report.timeZone)(report.asOf).slice(0, 10))}`,
    ];
    for (const fact of facts) {
      putRight(pdf, fact, right, rightY, { size: 9, color: colors.muted });
      rightY += 13;
    }
    this.y = Math.max(leftY, rightY) + 10;
    rule(pdf, this.y, colors.accent, left, right, 1.5);
    this.y += 16;
  }

  heading(text: string, note?: string): void {
    this.y += 8;
    this.ensureSpace(60);
    put(this.pdf, text, left, this.y, { font: fonts.bold, size: 12 });
    this.y += 18;
    if (note) this.note(note);
  }

  note(text: string): void {
    this.y += putWrapped(this.pdf, text, left, this.y, contentWidth, { size: 8, color: colors.muted }) + 6;
  }

  drawSla(): void {
    const { report } = this;
    if (!report.contract) {
      this.heading("Service level summary");
      this.note(`No contract was in force on ${formatLocalDate(report.from)}: no targets to judge the month against.`);
      return;
    }
    this.y += 2;
    this.drawSlaSummary(report.slaSummary, "Service level summary");
    if (report.slaSummary.length === 0) {
      this.heading("Service level summary");
      this.note("The contract sets no SLA targets.");
    }
  }

  /** Key figures in two columns of name and value. */
  drawKeyFigures(): void {
    const { pdf, report } = this;
    const t = report.totals;
    this.heading(
      "Volumes and answers",
      "Acknowledgement: the first public reply of any kind the platform confirmed. Useful answer: the first confirmed " +
        "reply that is not an acknowledgement (a reply, or the follow-up carrying the client's answer). Both are " +
        "timed from when the customer wrote.",
    );
    const figures: Array<[string, string]> = [
      ["Items in", countFormat.format(t.itemsIn)],
      ["Replies sent", countFormat.format(t.repliesSent)],
      ["Acknowledged", `${countFormat.format(t.acknowledged.count)} of ${countFormat.format(t.itemsIn)}`],
      ["With a useful answer", `${countFormat.format(t.usefulAnswer.count)} of ${countFormat.format(t.itemsIn)}`],
      ["Time to acknowledgement", waits(t.acknowledged)],
      ["Time to useful answer", waits(t.usefulAnswer)],
      ["First response (SLA clock)", waits(t.firstResponse)],
      ["Resolution (SLA clock)", waits(t.resolution)],
      ["Hidden / deleted / no action", `${t.hidden} / ${t.deleted} / ${t.noAction}`],
      ["Escalated", countFormat.format(t.escalated)],
      ["Client answer to escalations", waits(t.clientAnswer)],
    ];
    const half = Math.ceil(figures.length / 2);
    const columnWidth = contentWidth / 2 - 12;
    const rowHeight = 17;
    this.ensureSpace(half * rowHeight + 4);
    const top = this.y;
    figures.forEach(([name, value], index) => {
      const x = index < half ? left : left + contentWidth / 2 + 12;
      const y = top + (index % half) * rowHeight;
      put(pdf, name, x, y + 4, { size: 9, color: colors.muted });
      putRight(pdf, value, x + columnWidth, y + 4, { size: 9, font: fonts.bold, maxWidth: columnWidth * 0.5 });
      rule(pdf, y + rowHeight, colors.faint, x, x + columnWidth, 0.5);
    });
    this.y = top + half * rowHeight + 6;
    this.note("Times: median / 90th percentile.");
  }

  /** A table with a header row, repeated on a new page. */
  drawTable(columns: readonly Column[], rows: readonly string[][], empty: string): void {
    const { pdf } = this;
    const rowHeight = 18;
    const header = () => {
      pdf.save().rect(left, this.y, contentWidth, 20).fill(colors.headerFill).restore();
      let x = left + 6;
      for (const column of columns) {
        const style = { font: fonts.bold, size: 7.5, color: colors.muted } as const;
        if (column.align === "right") putRight(pdf, column.title.toUpperCase(), x + column.width, this.y + 6.5, style);
        else put(pdf, column.title.toUpperCase(), x, this.y + 6.5, style);
        x += column.width + 6;
      }
      this.y += 20;
    };
    this.ensureSpace(20 + rowHeight * Math.min(Math.max(rows.length, 1), 3));
    header();
    if (rows.length === 0) {
      put(pdf, empty, left + 6, this.y + 5, { color: colors.muted });
      this.y += rowHeight;
    }
    for (const row of rows) {
      if (this.ensureSpace(rowHeight)) header();
      let x = left + 6;
      columns.forEach((column, index) => {
        const value = row[index] ?? "";
        const fit = { size: 8.5, maxWidth: column.width } as const;
        if (column.align === "right") putRight(pdf, value, x + column.width, this.y + 5, fit);
        else putFit(pdf, value, x, this.y + 5, fit);
        x += column.width + 6;
      });
      this.y += rowHeight;
      rule(pdf, this.y, colors.faint, left, right, 0.5);
    }
    this.y += 4;
  }

  drawChannels(): void {
    this.heading("Volumes by channel");
    this.drawTable(
      [
        { title: "Channel", width: 150 },
        { title: "Platform", width: 60 },
        { title: "Items in", width: 48, align: "right" },
        { title: "Replies", width: 44, align: "right" },
        { title: "Acknowledgement", width: 90, align: "right" },
        { title: "Useful answer", width: 90, align: "right" },
      ],
      this.report.byChannel.map((channel) => [
        channel.channelName,
        channel.platform,
        countFormat.format(channel.itemsIn),
        countFormat.format(channel.repliesSent),
        formatWait(channel.acknowledged.medianSeconds),
        formatWait(channel.usefulAnswer.medianSeconds),
      ]),
      "No items this month.",
    );
    this.note("Answer times: medians.");
  }

  drawPriorities(): void {
    this.heading("By priority");
    this.drawTable(
      [
        { title: "Priority", width: 60 },
        { title: "Items in", width: 60, align: "right" },
        { title: "First resp. met", width: 80, align: "right" },
        { title: "Breached", width: 60, align: "right" },
        { title: "Acknowledgement", width: 95, align: "right" },
        { title: "Useful answer", width: 95, align: "right" },
      ],
      this.report.byPriority.map((row) => [
        row.priority,
        countFormat.format(row.itemsIn),
        countFormat.format(row.firstResponse.met),
        countFormat.format(row.firstResponse.breached),
        formatWait(row.acknowledged.medianSeconds),
        formatWait(row.usefulAnswer.medianSeconds),
      ]),
      "No items this month.",
    );
  }

  drawEscalations(): void {
    const { report } = this;
    const at = localTimeFormatter(report.timeZone);
    this.heading(
      "Notable escalations",
      `${countFormat.format(report.escalationsTotal)} escalation(s) this month; below, highest priority first, then ` +
        "unanswered, then the slowest answers.",
    );
    this.drawTable(
      [
        { title: "Priority", width: 40 },
        { title: "Opened", width: 78 },
        { title: "Status", width: 62 },
        { title: "Client answer", width: 64, align: "right" },
        { title: "What the customer wrote", width: 220 },
      ],
      report.notableEscalations.map((escalation) => [
        escalation.priority,
        at(escalation.openedAt).slice(0, 16),
        escalation.status,
        escalation.answerSeconds === null ? "unanswered" : formatWait(escalation.answerSeconds),
        escalation.excerpt.replace(/\s+/g, " "),
      ]),
      "No escalations this month.",
    );
  }

  /** Top topics and their trend. */
  drawTopics(): void {
    const { report } = this;
    this.heading("Top topics", "Items this month against the four weeks before it (per week).");
    this.drawTable(
      [
        { title: "Topic", width: 150 },
        { title: "Items", width: 40, align: "right" },
        { title: "Trend", width: 54, align: "right" },
        { title: "", width: 60 },
        { title: "Example", width: 174 },
      ],
      report.topics.map((topic) => [
        topic.label,
        countFormat.format(topic.volume),
        topic.trendPercent === null
          ? "new"
          : `${topic.trendPercent >= 0 ? "+" : ""}${Math.round(topic.trendPercent)} %`,
        topic.newThisWeek ? "new this week" : topic.rising ? "rising" : "",
        (topic.example ?? "").replace(/\s+/g, " "),
      ]),
      "No topics this month.",
    );
  }

  /** The gratitude index against the month before. */
  drawGratitude(): void {
    const { gratitude } = this.report;
    this.heading(
      "Gratitude index",
      "The share of answered conversations in which the customer thanked the brand after its reply.",
    );
    const share = (index: number | null) => (index === null ? "–" : `${(index * 100).toFixed(1)} %`);
    put(this.pdf, share(gratitude.index), left, this.y, { font: fonts.bold, size: 16, color: colors.accent });
    put(
      this.pdf,
      `${countFormat.format(gratitude.thanked)} of ${countFormat.format(gratitude.answered)} answered conversations; the month before: ${share(gratitude.previousIndex)}`,
      left + 90,
      this.y + 4,
      { size: 9 },
    );
    this.y += 28;
  }

  finish(): void {
    const { report } = this;
    this.finishPages(`${report.agencyName} · Monthly report · ${report.clientName} · ${formatMonth(report.month)}`);
  }
}

const waits = (figure: DurationFigure) =>
  figure.count === 0 ? "–" : `${formatWait(figure.medianSeconds)} / ${formatWait(figure.p90Seconds)}`;

/** Renders a monthly client report as an A4 PDF. */
export async function renderMonthlyReportPdf(report: MonthlyClientReport): Promise<Buffer> {
  return renderPdf(
    {
      title: `Monthly report ${report.clientName} ${report.month}`,
      author: report.agencyName,
      subject: `${report.agencyName}: ${report.clientName}, ${formatMonth(report.month)}`,
      createdOn: report.asOf.toISOString().slice(0, 10),
    },
    (pdf) => {
      const layout = new ReportLayout(pdf, report);
      layout.drawHeader();
      layout.drawSla();
      layout.drawKeyFigures();
      layout.drawChannels();
      layout.drawPriorities();
      layout.drawTopics();
      layout.drawGratitude();
      layout.drawEscalations();
      layout.finish();
    },
  );
}
