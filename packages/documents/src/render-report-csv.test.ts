import type { ReportFigures, ReportView } from "@parley/core/reports";
import { describe, expect, it } from "vitest";
import { renderReportSummaryCsv, reportSummaryCsvHeader } from "./render-report-csv";

const none = { count: 0, medianSeconds: null, p90Seconds: null };
const figures = (itemsIn: number): ReportFigures => ({
  itemsIn,
  acknowledged: itemsIn === 0 ? none : { count: itemsIn, medianSeconds: 90, p90Seconds: 600 },
  usefulAnswer: none,
  repliesSent: itemsIn,
  firstResponse: { ...none, met: itemsIn, breached: 0 },
  resolution: { ...none, met: 0, breached: 0 },
  hidden: 0,
  deleted: 0,
  noAction: 0,
  escalated: 0,
  clientAnswer: none,
  handled: itemsIn,
  handlingTime: { count: 1, medianSeconds: 150, p90Seconds: 150 },
});

const report: ReportView = {
  from: "2026-03-27",
  to: "2026-03-28",
  asOf: new Date("2026-04-01T00:00:00Z"),
  totals: figures(3),
  byDay: [
    { date: "2026-03-27", ...figures(3) },
    { date: "2026-03-28", ...figures(0) },
  ],
  byHour: [{ hour: 9, ...figures(3) }],
  byChannel: [],
  byPriority: [{ priority: "P1", ...figures(3) }],
  byBusinessHours: [{ inHours: false, ...figures(3) }],
  byModerator: [
    {
      moderatorId: "01a2481f-0e49-7beb-992a-dc74851bc662",
      moderatorName: "Ada",
      handled: 3,
      handlingTime: { count: 2, medianSeconds: 120, p90Seconds: 300 },
      activeHours: 2,
      handledPerHour: 1.5,
    },
  ],
  moderatorWork: { handled: 3, activeHours: 2, handledPerHour: 1.5 },
  backlog: [{ date: "2026-03-27", hour: null, open: 4 }],
  contractTargets: null,
};

describe("renderReportSummaryCsv", () => {
  const rows = renderReportSummaryCsv(report, { byteOrderMark: false })
    .trimEnd()
    .split("\r\n")
    .map((line) => line.split(","));
  const column = (row: string[] | undefined, name: (typeof reportSummaryCsvHeader)[number]) =>
    row?.[reportSummaryCsvHeader.indexOf(name)];

  it("writes one row per group, every row as wide as the header", () => {
    expect(rows[0]).toEqual([...reportSummaryCsvHeader]);
    expect(rows.map((row) => `${row[0]}:${row[1]}`)).toEqual([
      "group:value",
      "total:2026-03-27 to 2026-03-28",
      "day:2026-03-27",
      "day:2026-03-28",
      "hour of day:09:00",
      "priority:P1",
      "business hours:out of hours",
      "moderator:Ada",
      "backlog:2026-03-27",
    ]);
    for (const row of rows) expect(row).toHaveLength(reportSummaryCsvHeader.length);
  });

  it("puts durations in minutes, a moderator's work and a backlog point in their own columns", () => {
    const total = rows[1];
    expect(column(total, "acknowledged median minutes")).toBe("1.5");
    expect(column(total, "handled per moderator hour")).toBe("1.5");
    expect(column(rows[3], "acknowledged median minutes")).toBe(""); // a day without items
    const moderator = rows.find((row) => row[0] === "moderator");
    expect([column(moderator, "handled"), column(moderator, "handling times median minutes")]).toEqual(["3", "2"]);
    expect([column(moderator, "items in"), column(moderator, "active moderator hours")]).toEqual(["", "2"]);
    const backlog = rows.find((row) => row[0] === "backlog");
    expect([column(backlog, "open at the end"), column(backlog, "items in")]).toEqual(["4", ""]);
  });
});
