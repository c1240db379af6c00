import { describe, expect, it } from "vitest";
import { formatMsLeft, msLeftNow, slaStateNow } from "./escalations";

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

describe("formatMsLeft", () => {
  it.each([
    [0, "0:00"],
    [4 * minute + 5 * second, "4:05"],
    [hour + 2 * minute + 5 * second + 999, "1:02:05"],
    [23 * hour + 59 * minute + 59 * second, "23:59:59"],
    [day, "1d 0h"],
    [2 * day + 14 * hour + 27 * minute, "2d 14h"],
    [-30 * second, "−0:30"],
    [-(3 * day + 2 * hour), "−3d 2h"],
  ])("%d ms reads %s", (ms, text) => {
    expect(formatMsLeft(ms)).toBe(text);
  });
});

describe("a board entry between refreshes", () => {
  const boardAt = new Date("2026-12-04T10:00:00Z");
  const at = (ms: number) => boardAt.getTime() + ms;

  it("counts a running clock down and turns it breached when it runs out", () => {
    const entry = { msLeft: 10 * minute, state: "on_track" as const };
    expect(msLeftNow(entry, boardAt, at(4 * minute))).toBe(6 * minute);
    expect(slaStateNow(entry, boardAt, at(4 * minute))).toBe("on_track");
    expect(slaStateNow(entry, boardAt, at(10 * minute))).toBe("breached");
  });

  it("keeps a paused clock frozen", () => {
    const entry = { msLeft: 10 * minute, state: "paused" as const };
    expect(msLeftNow(entry, boardAt, at(hour))).toBe(10 * minute);
    expect(slaStateNow(entry, boardAt, at(hour))).toBe("paused");
  });
});
