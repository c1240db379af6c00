import { describe, expect, it } from "vitest";
import { judgeSpike, perHour, spikeEndThreshold, spikeStartThreshold, usualInWindow } from "./spike-rule";

describe("the spike rule", () => {
  it.each([
    // usual per 15 min, start bar, end bar
    { usual: 0, start: 20, end: 10 },
    { usual: 2, start: 20, end: 10 },
    { usual: 10, start: 10 + 4 * Math.sqrt(10), end: 10 + 2 * Math.sqrt(10) },
    { usual: 100, start: 200, end: 150 },
  ])("with $usual usual items a spike starts at $start and ends below $end", ({ usual, start, end }) => {
    expect(spikeStartThreshold(usual)).toBeCloseTo(start, 6);
    expect(spikeEndThreshold(usual)).toBeCloseTo(end, 6);
  });

  it.each([
    { observed: 19, usual: 1, open: false, decision: "none" },
    { observed: 20, usual: 1, open: false, decision: "start" },
    { observed: 120, usual: 100, open: false, decision: "none" },
    { observed: 200, usual: 100, open: false, decision: "start" },
    { observed: 160, usual: 100, open: true, decision: "continue" },
    { observed: 149, usual: 100, open: true, decision: "end" },
    { observed: 12, usual: 1, open: true, decision: "continue" },
    { observed: 9, usual: 1, open: true, decision: "end" },
  ] as const)("$observed items against $usual usual (open: $open) → $decision", ({ decision, ...input }) => {
    expect(judgeSpike(input)).toBe(decision);
  });

  it("prorates the hourly forecast to the window, across an hour boundary", () => {
    const hour = 3_600_000;
    const hours = [
      { hourStart: 0, expected: 40 },
      { hourStart: hour, expected: 80 },
    ];
    expect(usualInWindow(hours, { from: hour - 5 * 60_000, to: hour + 10 * 60_000 })).toBeCloseTo(40 / 12 + 80 / 6, 9);
    expect(usualInWindow(hours, { from: 2 * hour, to: 3 * hour })).toBe(0);
    expect(perHour(30, 15)).toBe(120);
  });
});
