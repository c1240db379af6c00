import { describe, expect, it } from "vitest";
import { addDays, isLocalDate, namedPeriod, presetOf, presetPeriod } from "./report-period";

describe("report periods", () => {
  it.each([
    ["this_month", "2026-12-05", { from: "2026-12-01", to: "2026-12-05" }],
    ["last_month", "2026-12-05", { from: "2026-11-01", to: "2026-11-30" }],
    ["last_month", "2026-01-31", { from: "2025-12-01", to: "2025-12-31" }],
    ["last_month", "2024-03-10", { from: "2024-02-01", to: "2024-02-29" }],
    ["last_7_days", "2026-03-03", { from: "2026-02-25", to: "2026-03-03" }],
  ] as const)("%s seen from %s", (preset, today, period) => {
    expect(presetPeriod(preset, today)).toEqual(period);
  });

  it("names the preset that gives exactly the period, else custom", () => {
    expect(presetOf({ from: "2026-11-01", to: "2026-11-30" }, "2026-12-05")).toBe("last_month");
    expect(presetOf({ from: "2026-12-01", to: "2026-12-05" }, "2026-12-05")).toBe("this_month");
    expect(presetOf({ from: "2026-11-29", to: "2026-12-05" }, "2026-12-05")).toBe("last_7_days");
    expect(presetOf({ from: "2026-11-01", to: "2026-11-29" }, "2026-12-05")).toBe("custom");
  });

  it("reads the period an address names: a preset from today, or a calendar month", () => {
    expect(namedPeriod("last_month", "2026-12-05")).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(namedPeriod("last_7_days", "2026-12-05")).toEqual({ from: "2026-11-29", to: "2026-12-05" });
    expect(namedPeriod("2026-02", "2026-12-05")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    // The month under way ends today; a month to come is taken whole (the report finds nothing yet).
    expect(namedPeriod("2026-12", "2026-12-05")).toEqual({ from: "2026-12-01", to: "2026-12-05" });
    expect(namedPeriod("2027-01", "2026-12-05")).toEqual({ from: "2027-01-01", to: "2027-01-31" });
    for (const value of [undefined, "", "custom", "2026-13", "2026-1", "lastmonth"]) {
      expect(namedPeriod(value, "2026-12-05")).toBeNull();
    }
  });

  it("adds days across months and reads only real dates", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(isLocalDate("2026-02-28")).toBe(true);
    expect(isLocalDate("2026-02-30")).toBe(false);
    expect(isLocalDate("26-02-01")).toBe(false);
    expect(isLocalDate(undefined)).toBe(false);
  });
});
