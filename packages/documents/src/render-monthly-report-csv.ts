/**
 * The monthly client report as CSV: one row per figure (`section`, `subject`, `figure`, `value`), the same figures
 * as its PDF, so a spreadsheet can chart or compare months. Times are seconds; compliance is the one rule's figure
 * (truncated to 2 decimals).
 */
import { type CsvCell, numberCell, textCell, writeCsv } from "@parley/contracts";
import { describeSlaMetric, formatCompliancePercent } from "@parley/core/billing";
import type { DurationFigure, MonthlyClientReport, ReportFigures } from "@parley/core/reports";

export const monthlyReportCsvHeader = ["section", "subject", "figure", "value"] as const;

const seconds = (value: number | null): CsvCell =>
  value === null ? null : numberCell(String(Math.round(value * 100) / 100));

function durationRows(section: string, subject: string, name: string, figure: DurationFigure): CsvCell[][] {
  return [
    [textCell(section), textCell(subject), textCell(`${name} count`), numberCell(figure.count)],
    [textCell(section), textCell(subject), textCell(`${name} median seconds`), seconds(figure.medianSeconds)],
    [textCell(section), textCell(subject), textCell(`${name} p90 seconds`), seconds(figure.p90Seconds)],
  ];
}

function figureRows(section: string, subject: string, figures: ReportFigures): CsvCell[][] {
  const count = (name: string, value: number): CsvCell[] => [
    textCell(section),
    textCell(subject),
    textCell(name),
    numberCell(value),
  ];
  return [
    count("items in", figures.itemsIn),
    count("replies sent", figures.repliesSent),
    ...durationRows(section, subject, "acknowledgement", figures.acknowledged),
    ...durationRows(section, subject, "useful answer", figures.usefulAnswer),
    ...durationRows(section, subject, "first response", figures.firstResponse),
    count("first response met", figures.firstResponse.met),
    count("first response breached", figures.firstResponse.breached),
    ...durationRows(section, subject, "resolution", figures.resolution),
    count("resolution met", figures.resolution.met),
    count("resolution breached", figures.resolution.breached),
    count("hidden", figures.hidden),
    count("deleted", figures.deleted),
    count("no action", figures.noAction),
    count("escalated", figures.escalated),
    ...durationRows(section, subject, "client answer", figures.clientAnswer),
  ];
}

export function renderMonthlyReportCsv(report: MonthlyClientReport): string {
  const sla = report.slaSummary.flatMap((row) => {
    const subject = textCell(`${row.priority} ${describeSlaMetric(row.metric).toLowerCase()}`);
    return [
      [textCell("sla"), subject, textCell("target minutes"), numberCell(row.targetMinutes)],
      [textCell("sla"), subject, textCell("decided"), numberCell(row.total)],
      [textCell("sla"), subject, textCell("met"), numberCell(row.met)],
      [textCell("sla"), subject, textCell("compliance percent"), numberCell(formatCompliancePercent(row))],
      [textCell("sla"), subject, textCell("target percent"), numberCell(row.targetPercent)],
      [textCell("sla"), subject, textCell("result"), textCell(row.missed ? "missed" : "met")],
    ];
  });
  const escalations = report.notableEscalations.map((escalation) => [
    textCell("notable escalation"),
    textCell(escalation.itemId),
    textCell(`${escalation.priority} ${escalation.status}`),
    seconds(escalation.answerSeconds),
  ]);
  const topics = report.topics.flatMap((topic) => [
    [textCell("topic"), textCell(topic.label), textCell("items"), numberCell(topic.volume)],
    [textCell("topic"), textCell(topic.label), textCell("previous four weeks"), numberCell(topic.previousFourWeeks)],
    [
      textCell("topic"),
      textCell(topic.label),
      textCell("trend percent"),
      topic.trendPercent === null ? null : numberCell(String(Math.round(topic.trendPercent * 100) / 100)),
    ],
  ]);
  const gratitude = [
    [textCell("gratitude"), textCell(report.clientName), textCell("answered"), numberCell(report.gratitude.answered)],
    [textCell("gratitude"), textCell(report.clientName), textCell("thanked"), numberCell(report.gratitude.thanked)],
    [
      textCell("gratitude"),
      textCell(report.clientName),
      textCell("index"),
      report.gratitude.index === null ? null : numberCell(String(Math.round(report.gratitude.index * 10_000) / 10_000)),
    ],
  ];
  return writeCsv(monthlyReportCsvHeader, [
    [textCell("report"), textCell(report.clientName), textCell("month"), textCell(report.month)],
    [textCell("report"), textCell(report.clientName), textCell("time zone"), textCell(report.timeZone)],
    ...sla,
    ...figureRows("total", report.clientName, report.totals),
    ...report.byChannel.flatMap((channel) => figureRows("channel", channel.channelName, channel)),
    ...report.byPriority.flatMap((row) => figureRows("priority", row.priority, row)),
    ...topics,
    ...gratitude,
    [textCell("escalations"), textCell(report.clientName), textCell("opened"), numberCell(report.escalationsTotal)],
    ...escalations,
  ]);
}
