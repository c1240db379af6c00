import { describe, expect, it } from "vitest";
import { addDays, measureTopicTrend } from "./topic-trends";

/** `count` items on each of the given local dates. */
const on = (entries: Array<[string, number]>) => entries.flatMap(([date, count]) => Array<string>(count).fill(date));
const week = { from: "2026-11-23", to: "2026-11-29" };

describe("a topic's trend", () => {
  it.each([
    {
      name: "up 100 % on an average week of 4",
      dates: on([
        ["2026-10-26", 4],
        ["2026-11-02", 4],
        ["2026-11-09", 4],
        ["2026-11-16", 4],
        ["2026-11-24", 8],
      ]),
      expected: { volume: 8, previousFourWeeks: 16, trendPercent: 100, newThisWeek: false, rising: true },
    },
    {
      name: "down 50 %",
      dates: on([
        ["2026-11-02", 8],
        ["2026-11-16", 8],
        ["2026-11-28", 2],
      ]),
      expected: { volume: 2, previousFourWeeks: 16, trendPercent: -50, newThisWeek: false, rising: false },
    },
    {
      name: "new: nothing in the four weeks before",
      dates: on([["2026-11-27", 3]]),
      expected: { volume: 3, previousFourWeeks: 0, trendPercent: null, newThisWeek: true, rising: true },
    },
    {
      name: "new but too small to be rising",
      dates: on([["2026-11-27", 2]]),
      expected: { volume: 2, previousFourWeeks: 0, trendPercent: null, newThisWeek: true, rising: false },
    },
    {
      name: "items before the trend's four weeks and after the period are not counted",
      dates: on([
        ["2026-10-25", 9],
        ["2026-11-30", 9],
        ["2026-11-25", 5],
        ["2026-11-20", 4],
      ]),
      expected: { volume: 5, previousFourWeeks: 4, trendPercent: 400, newThisWeek: false, rising: true },
    },
    {
      name: "flat: +0 % is not rising",
      dates: on([
        ["2026-10-27", 5],
        ["2026-11-03", 5],
        ["2026-11-10", 5],
        ["2026-11-17", 5],
        ["2026-11-25", 5],
      ]),
      expected: { volume: 5, previousFourWeeks: 20, trendPercent: 0, newThisWeek: false, rising: false },
    },
  ])("$name", ({ dates, expected }) => {
    expect(measureTopicTrend(dates, week)).toEqual(expected);
  });

  it("compares a month with the average week before it, and calls new only what began in its last seven days", () => {
    const month = { from: "2026-11-01", to: "2026-11-30" };
    // 30 days with 60 items = 14 a week, against 7 a week before.
    const dates = [...on([["2026-10-10", 28]]), ...on([["2026-11-05", 60]])];
    expect(measureTopicTrend(dates, month)).toMatchObject({ volume: 60, previousFourWeeks: 28, trendPercent: 100 });
    expect(
      measureTopicTrend(
        on([
          ["2026-11-20", 3],
          ["2026-11-29", 3],
        ]),
        month,
      ).newThisWeek,
    ).toBe(false);
    expect(
      measureTopicTrend(
        on([
          ["2026-11-24", 3],
          ["2026-11-29", 3],
        ]),
        month,
      ).newThisWeek,
    ).toBe(true);
  });

  it("counts local dates across a month end", () => {
    expect(addDays("2026-11-29", 3)).toBe("2026-12-02");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});
