import { describe, expect, it } from "vitest";
import { formatZonedTime } from "./zoned-time";

describe("formatZonedTime", () => {
  it.each([
    // 08:00 UTC on Monday 2 November 2026 is 09:00 in Berlin (CET) and 03:00 in New York (EST).
    { at: "2026-11-02T08:00:00Z", zone: "Europe/Berlin", date: false, text: "Mon 09:00 Europe/Berlin" },
    { at: "2026-11-02T08:00:00Z", zone: "Europe/Berlin", date: true, text: "Mon 2 Nov 2026 09:00 Europe/Berlin" },
    { at: "2026-11-02T08:00:00Z", zone: "America/New_York", date: true, text: "Mon 2 Nov 2026 03:00 America/New_York" },
    // Summer time: 07:30 UTC on Friday 3 July 2026 is 09:30 in Berlin (CEST); midnight is 00, never 24.
    { at: "2026-07-03T07:30:00Z", zone: "Europe/Berlin", date: false, text: "Fri 09:30 Europe/Berlin" },
    { at: "2026-07-02T22:00:00Z", zone: "Europe/Berlin", date: false, text: "Fri 00:00 Europe/Berlin" },
  ])("$at in $zone (date: $date) is “$text”", ({ at, zone, date, text }) => {
    expect(formatZonedTime(new Date(at), zone, { date })).toBe(text);
    expect(formatZonedTime(at, zone, { date })).toBe(text);
  });

  it("shows an invalid instant as a dash", () => {
    expect(formatZonedTime("not a date", "UTC")).toBe("—");
  });
});
