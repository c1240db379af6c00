import { describe, expect, it } from "vitest";
import { getOffsetSegments, localWallTime, wallTimeInstant } from "./zone-offsets";

const HOUR_MS = 3_600_000;

describe("getOffsetSegments", () => {
  it.each([
    ["Europe/London", "2026-03-29T01:00Z", 0, 1],
    ["Europe/London", "2026-10-25T01:00Z", 1, 0],
    ["America/New_York", "2026-03-08T07:00Z", -5, -4],
    ["America/New_York", "2026-11-01T06:00Z", -4, -5],
    ["America/Santiago", "2026-04-05T03:00Z", -3, -4],
    ["America/Santiago", "2026-09-06T04:00Z", -4, -3],
  ])("%s changes at %s from %i to %i hours", (zone, change, before, after) => {
    const changeMs = Date.parse(change);
    const segments = getOffsetSegments(zone, changeMs - 30 * HOUR_MS, changeMs + 30 * HOUR_MS);
    expect(segments.map(({ end, offsetMs }) => ({ end, offsetMs })).slice(0, -1)).toEqual([
      { end: changeMs, offsetMs: before * HOUR_MS },
    ]);
    expect(segments.at(-1)?.offsetMs).toBe(after * HOUR_MS);
  });

  it("covers the requested range with consecutive segments", () => {
    const from = Date.parse("2026-03-28T05:00Z");
    const to = Date.parse("2026-03-30T05:00Z");
    const segments = getOffsetSegments("Europe/London", from, to);
    expect(segments[0]?.start).toBeLessThanOrEqual(from);
    expect(segments.at(-1)?.end).toBeGreaterThanOrEqual(to);
    for (let i = 1; i < segments.length; i++) expect(segments[i]?.start).toBe(segments[i - 1]?.end);
  });

  it("gives one segment for a zone without daylight saving", () => {
    const segments = getOffsetSegments("Asia/Tokyo", Date.parse("2026-01-01T00:00Z"), Date.parse("2026-01-03T00:00Z"));
    expect(segments.map(({ offsetMs }) => offsetMs)).toEqual([9 * HOUR_MS]);
  });
});

describe("wallTimeInstant and localWallTime", () => {
  it("turn local wall times into instants and back, across the change to summer time", () => {
    expect(new Date(wallTimeInstant("2026-03-28", 9 * 60, "Europe/London")).toISOString()).toBe(
      "2026-03-28T09:00:00.000Z",
    );
    expect(new Date(wallTimeInstant("2026-03-29", 9 * 60, "Europe/London")).toISOString()).toBe(
      "2026-03-29T08:00:00.000Z",
    );
    // 01:30 does not exist on 29 March in London: it comes out after the gap (02:30 BST).
    expect(new Date(wallTimeInstant("2026-03-29", 90, "Europe/London")).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(new Date(wallTimeInstant("2026-03-29", 24 * 60, "Europe/London")).toISOString()).toBe(
      "2026-03-29T23:00:00.000Z",
    );
    expect(localWallTime(Date.parse("2026-03-29T08:15:00Z"), "Europe/London")).toEqual({
      date: "2026-03-29",
      weekday: 6,
      minuteOfDay: 9 * 60 + 15,
    });
    expect(localWallTime(Date.parse("2026-03-30T03:00:00Z"), "America/New_York")).toEqual({
      date: "2026-03-29",
      weekday: 6,
      minuteOfDay: 23 * 60,
    });
  });
});
