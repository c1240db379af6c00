import { fieldMessages } from "@parley/contracts";
import { describe, expect, it } from "vitest";
import { ALWAYS_OPEN, businessCalendarSchema, parseClockTime, parseLocalDate } from "./business-calendar";

describe("businessCalendarSchema", () => {
  it.each([
    ["always open", ALWAYS_OPEN],
    [
      "breaks, overnight spans, holidays and overrides",
      {
        timeZone: "America/Santiago",
        weekly: {
          mon: [
            ["09:00", "12:30"],
            ["13:30", "17:30"],
          ],
          sat: [["22:00", "06:00"]],
        },
        holidays: ["2026-12-25"],
        overrides: { "2026-12-24": [["09:00", "13:00"]], "2026-12-31": [] },
      },
    ],
  ])("accepts %s", (_, calendar) => {
    expect(businessCalendarSchema.safeParse(calendar).success).toBe(true);
  });

  it.each([
    [
      "an unknown zone",
      { timeZone: "Mars/Olympus", weekly: {} },
      { timeZone: "must be an IANA time zone such as Europe/London" },
    ],
    [
      "a time without two-digit hours",
      { timeZone: "UTC", weekly: { mon: [["9:00", "17:00"]] } },
      { "weekly.mon.0.0": 'must be "HH:MM" between 00:00 and 24:00' },
    ],
    [
      "a time past 24:00",
      { timeZone: "UTC", weekly: { mon: [["09:00", "24:30"]] } },
      { "weekly.mon.0.1": 'must be "HH:MM" between 00:00 and 24:00' },
    ],
    [
      "a span that is not a pair",
      { timeZone: "UTC", weekly: { tue: [["09:00"]] } },
      { "weekly.tue.0": 'must be a ["HH:MM", "HH:MM"] pair' },
    ],
    [
      "a span starting at 24:00",
      { timeZone: "UTC", weekly: { wed: [["24:00", "06:00"]] } },
      { "weekly.wed.0.0": "must not start at 24:00" },
    ],
    [
      "an empty span",
      { timeZone: "UTC", weekly: { thu: [["09:00", "09:00"]] } },
      { "weekly.thu.0.1": "must not end when it starts" },
    ],
    [
      "an unknown weekday",
      { timeZone: "UTC", weekly: { monday: [["09:00", "17:00"]] } },
      { weekly: "must only use the keys sun, mon, tue, wed, thu, fri, sat" },
    ],
    [
      "a holiday that is not a date",
      { timeZone: "UTC", weekly: {}, holidays: ["2026-02-30"] },
      { "holidays.0": 'must be a date "YYYY-MM-DD"' },
    ],
    [
      "an override not keyed by a date",
      { timeZone: "UTC", weekly: {}, overrides: { "2026-1-1": [] } },
      { "overrides.2026-1-1": 'must be a date "YYYY-MM-DD"' },
    ],
    ["a missing weekly pattern", { timeZone: "UTC" }, { weekly: "Invalid input: expected object, received undefined" }],
  ])("rejects %s, naming the field", (_, calendar, expected) => {
    const result = businessCalendarSchema.safeParse(calendar);
    expect(result.success).toBe(false);
    expect(fieldMessages(result.error?.issues ?? [])).toEqual(expected);
  });
});

describe("parseClockTime", () => {
  it.each([
    ["00:00", 0],
    ["09:30", 570],
    ["23:59", 1439],
    ["24:00", 1440],
  ])("%s is %i minutes", (value, expected) => {
    expect(parseClockTime(value)).toBe(expected);
  });
});

describe("parseLocalDate", () => {
  it.each([
    ["1970-01-01", 0],
    ["2026-03-29", 20541],
    ["1969-12-31", -1],
    ["2026-02-29", Number.NaN],
    ["26-03-29", Number.NaN],
  ])("%s is day %d", (value, expected) => {
    expect(parseLocalDate(value)).toBe(expected);
  });
});
