import type { DurationFigure, MonthlyClientReport, ReportFigures } from "@parley/core/reports";
import { pdfText } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { renderMonthlyReportCsv } from "./render-monthly-report-csv";
import { formatWait, renderMonthlyReportPdf } from "./render-monthly-report-pdf";

const none: DurationFigure = { count: 0, medianSeconds: null, p90Seconds: null };
const figures = (itemsIn: number): ReportFigures => ({
  itemsIn,
  acknowledged: { count: itemsIn, medianSeconds: 2_100, p90Seconds: 6_120 },
  usefulAnswer: { count: itemsIn, medianSeconds: 6_120, p90Seconds: 9_000 },
  repliesSent: itemsIn,
  firstResponse: { ...none, met: 0, breached: 0 },
  resolution: { ...none, met: 0, breached: 0 },
  hidden: 0,
  deleted: 0,
  noAction: 0,
  escalated: 0,
  clientAnswer: none,
  handled: 0,
  handlingTime: none,
});

/** A report as core assembles it, with topics and the gratitude index filled (parts 3 and 4 of issue 20). */
const report: MonthlyClientReport = {
  agencyName: "Northwind Social",
  clientId: "00000000-0000-4000-8000-000000000001",
  clientName: "Brightmart",
  timeZone: "Europe/Paris",
  month: "2026-03",
  from: "2026-03-01",
  to: "2026-03-31",
  asOf: new Date("2026-04-01T06:00:00Z"),
  contract: null,
  slaSummary: [],
  totals: figures(40),
  byChannel: [],
  byPriority: [],
  escalationsTotal: 0,
  notableEscalations: [],
  topics: [
    {
      label: "parcel not delivered",
      kind: "discovered",
      volume: 12,
      previousFourWeeks: 8,
      trendPercent: 93.5,
      newThisWeek: false,
      rising: true,
      example: "My parcel never came",
    },
    {
      label: "Billing",
      kind: "category",
      volume: 5,
      previousFourWeeks: 0,
      trendPercent: null,
      newThisWeek: true,
      rising: true,
      example: null,
    },
  ],
  gratitude: { index: 0.125, thanked: 5, answered: 40, previousIndex: 0.1 },
};

describe("monthly report PDF", () => {
  it("writes waits for people", () => {
    expect([formatWait(null), formatWait(44.6), formatWait(2_100), formatWait(6_120), formatWait(183_600)]).toEqual([
      "–",
      "45 s",
      "35 min",
      "1 h 42 min",
      "2 d 3 h",
    ]);
  });

  it("shows the top topics with their trend and the gratitude index, and says when there is no contract", async () => {
    const text = pdfText(await renderMonthlyReportPdf(report)).replace(/\s+/g, "");
    const shows = (line: string) => expect(text).toContain(line.replace(/\s+/g, ""));
    shows("No contract was in force on 1 March 2026");
    shows("Time to acknowledgement 35 min / 1 h 42 min");
    shows("parcel not delivered 12 +94 % rising My parcel never came");
    shows("Billing 5 new new this week");
    shows("12.5 %");
    shows("5 of 40 answered conversations; the month before: 10.0 %");
    const csv = renderMonthlyReportCsv(report);
    expect(csv).toContain("topic,parcel not delivered,trend percent,93.5\r\n");
    expect(csv).toContain("gratitude,Brightmart,index,0.125\r\n");
  });
});
