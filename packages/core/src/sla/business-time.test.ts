import { catchAppError } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { ALWAYS_OPEN, type BusinessCalendar, type Span } from "./business-calendar";
import {
  addBusinessMinutes,
  businessMinutesBetween,
  type ClockOptions,
  nextBusinessInstant,
  subtractBusinessMinutes,
} from "./business-time";

function onWeekdays(spans: Span[]): BusinessCalendar["weekly"] {
  return { mon: spans, tue: spans, wed: spans, thu: spans, fri: spans };
}

function onEveryDay(spans: Span[]): BusinessCalendar["weekly"] {
  return { ...onWeekdays(spans), sat: spans, sun: spans };
}

const newYork: BusinessCalendar = { timeZone: "America/New_York", weekly: onWeekdays([["09:00", "17:30"]]) };
const newYorkSaturdayNights: BusinessCalendar = {
  timeZone: "America/New_York",
  weekly: { sat: [["22:00", "06:00"]] },
};
// Friday 23:00 to Saturday 22:00 local ends at Sunday 03:00 UTC, two days after its start day.
const newYorkLongFridays: BusinessCalendar = { timeZone: "America/New_York", weekly: { fri: [["23:00", "22:00"]] } };
const londonOffice: BusinessCalendar = {
  timeZone: "Europe/London",
  weekly: onWeekdays([
    ["09:00", "12:30"],
    ["13:30", "17:30"],
  ]),
  holidays: ["2026-12-25", "2026-12-28"],
  overrides: { "2026-12-24": [["09:00", "13:00"]], "2026-03-28": [["10:00", "14:00"]] },
};
// Straddles the skipped hour in March and the repeated hour in October.
const londonEarlySundays: BusinessCalendar = { timeZone: "Europe/London", weekly: { sun: [["00:30", "02:30"]] } };
// Lies wholly inside the skipped / repeated hour.
const londonSundayGap: BusinessCalendar = { timeZone: "Europe/London", weekly: { sun: [["01:15", "01:45"]] } };
const londonSundays: BusinessCalendar = { timeZone: "Europe/London", weekly: { sun: [["00:00", "24:00"]] } };
const londonNights: BusinessCalendar = {
  timeZone: "Europe/London",
  weekly: onWeekdays([["22:00", "06:00"]]),
  holidays: ["2026-12-25"],
  overrides: { "2026-12-31": [["20:00", "02:00"]] },
};
const tokyo: BusinessCalendar = {
  timeZone: "Asia/Tokyo",
  weekly: onWeekdays([["09:00", "18:00"]]),
  holidays: ["2026-01-01", "2026-01-02"],
};
const tokyoSaturdayShift: BusinessCalendar = { ...tokyo, overrides: { "2026-01-03": [["10:00", "12:00"]] } };
const santiago: BusinessCalendar = {
  timeZone: "America/Santiago",
  weekly: {
    ...onEveryDay([["08:00", "20:00"]]),
    sat: [
      ["08:00", "20:00"],
      ["22:00", "02:00"],
    ],
  },
};
// Santiago's clocks jump from 00:00 to 01:00 on 2026-09-06.
const santiagoSundayMidnight: BusinessCalendar = {
  timeZone: "America/Santiago",
  weekly: { sun: [["00:00", "02:00"]] },
};
const closed: BusinessCalendar = { timeZone: "Europe/London", weekly: {} };

function toOptions(pauses: Array<[string, string]> = []): ClockOptions {
  return { pauses: pauses.map(([start, end]) => [new Date(start), new Date(end)]) };
}

function iso(value: string): string {
  return new Date(value).toISOString();
}

interface ShiftCase {
  name: string;
  calendar: BusinessCalendar;
  start: string;
  minutes: number;
  pauses?: Array<[string, string]>;
  expected: string;
}

describe("addBusinessMinutes", () => {
  const cases: ShiftCase[] = [
    {
      name: "New York: within the day",
      calendar: newYork,
      start: "2026-03-02T09:00-05:00",
      minutes: 60,
      expected: "2026-03-02T10:00-05:00",
    },
    {
      name: "New York: over the weekend the clocks spring forward",
      calendar: newYork,
      start: "2026-03-06T16:30-05:00",
      minutes: 120,
      expected: "2026-03-09T10:00-04:00",
    },
    {
      name: "New York: over the weekend the clocks fall back",
      calendar: newYork,
      start: "2026-10-30T17:00-04:00",
      minutes: 60,
      expected: "2026-11-02T09:30-05:00",
    },
    {
      name: "New York: a deadline exactly at closing stays there",
      calendar: newYork,
      start: "2026-03-02T16:30-05:00",
      minutes: 60,
      expected: "2026-03-02T17:30-05:00",
    },
    {
      name: "New York: 0 minutes outside hours is the next opening",
      calendar: newYork,
      start: "2026-03-07T12:00-05:00",
      minutes: 0,
      expected: "2026-03-09T09:00-04:00",
    },
    {
      name: "New York: 0 minutes at closing is the next opening",
      calendar: newYork,
      start: "2026-03-02T17:30-05:00",
      minutes: 0,
      expected: "2026-03-03T09:00-05:00",
    },
    {
      name: "New York: 0 minutes inside hours stays",
      calendar: newYork,
      start: "2026-03-02T11:00-05:00",
      minutes: 0,
      expected: "2026-03-02T11:00-05:00",
    },
    {
      name: "New York: fractional minutes keep their seconds",
      calendar: newYork,
      start: "2026-03-02T09:00-05:00",
      minutes: 1.5,
      expected: "2026-03-02T09:01:30-05:00",
    },
    {
      name: "New York: fractional minutes across closing",
      calendar: newYork,
      start: "2026-03-02T17:29:30-05:00",
      minutes: 1,
      expected: "2026-03-03T09:00:30-05:00",
    },
    {
      name: "New York: a fraction is rounded to the millisecond",
      calendar: newYork,
      start: "2026-03-02T09:00-05:00",
      minutes: 0.0001,
      expected: "2026-03-02T09:00:00.006-05:00",
    },
    {
      name: "New York: an overnight span loses the skipped hour",
      calendar: newYorkSaturdayNights,
      start: "2026-03-07T22:00-05:00",
      minutes: 300,
      expected: "2026-03-08T04:00-04:00",
    },
    {
      name: "New York: an overnight span in spring holds 420 real minutes",
      calendar: newYorkSaturdayNights,
      start: "2026-03-07T22:00-05:00",
      minutes: 420,
      expected: "2026-03-08T06:00-04:00",
    },
    {
      name: "New York: the repeated hour counts twice",
      calendar: newYorkSaturdayNights,
      start: "2026-10-31T22:00-04:00",
      minutes: 240,
      expected: "2026-11-01T01:00-05:00",
    },
    {
      name: "New York: an overnight span in autumn holds 540 real minutes",
      calendar: newYorkSaturdayNights,
      start: "2026-10-31T22:00-04:00",
      minutes: 540,
      expected: "2026-11-01T06:00-05:00",
    },
    {
      name: "London: the lunch break does not count",
      calendar: londonOffice,
      start: "2026-03-02T12:00Z",
      minutes: 60,
      expected: "2026-03-02T14:00Z",
    },
    {
      name: "London: a deadline at the start of the break stays there",
      calendar: londonOffice,
      start: "2026-03-02T12:00Z",
      minutes: 30,
      expected: "2026-03-02T12:30Z",
    },
    {
      name: "London: 0 minutes in the break is the end of the break",
      calendar: londonOffice,
      start: "2026-03-02T12:45Z",
      minutes: 0,
      expected: "2026-03-02T13:30Z",
    },
    {
      name: "London: an override opens a Saturday",
      calendar: londonOffice,
      start: "2026-03-27T17:00Z",
      minutes: 60,
      expected: "2026-03-28T10:30Z",
    },
    {
      name: "London: from an overridden Saturday over the spring change",
      calendar: londonOffice,
      start: "2026-03-28T13:30Z",
      minutes: 60,
      expected: "2026-03-30T09:30+01:00",
    },
    {
      name: "London: a short Christmas Eve, then two holidays and a weekend",
      calendar: londonOffice,
      start: "2026-12-24T12:00Z",
      minutes: 120,
      expected: "2026-12-29T10:00Z",
    },
    {
      name: "London: a span across the skipped hour",
      calendar: londonEarlySundays,
      start: "2026-03-29T00:30Z",
      minutes: 45,
      expected: "2026-03-29T02:15+01:00",
    },
    {
      name: "London: a span across the repeated hour",
      calendar: londonEarlySundays,
      start: "2026-10-25T00:30+01:00",
      minutes: 150,
      expected: "2026-10-25T02:00Z",
    },
    {
      name: "London: a span wholly in the skipped hour never opens",
      calendar: londonSundayGap,
      start: "2026-03-28T12:00Z",
      minutes: 0,
      expected: "2026-04-05T01:15+01:00",
    },
    {
      name: "London: an overnight span from the day before runs into a holiday",
      calendar: londonNights,
      start: "2026-12-24T22:00Z",
      minutes: 480,
      expected: "2026-12-25T06:00Z",
    },
    {
      name: "London: a holiday's own overnight span is closed",
      calendar: londonNights,
      start: "2026-12-24T22:00Z",
      minutes: 481,
      expected: "2026-12-28T22:01Z",
    },
    {
      name: "London: an overridden overnight span",
      calendar: londonNights,
      start: "2026-12-31T20:00Z",
      minutes: 360,
      expected: "2027-01-01T02:00Z",
    },
    {
      name: "London: after an overridden overnight span",
      calendar: londonNights,
      start: "2026-12-31T20:00Z",
      minutes: 361,
      expected: "2027-01-01T22:01Z",
    },
    {
      name: "Tokyo: over New Year holidays and a weekend",
      calendar: tokyo,
      start: "2025-12-31T17:00+09:00",
      minutes: 120,
      expected: "2026-01-05T10:00+09:00",
    },
    {
      name: "Tokyo: into a Saturday override",
      calendar: tokyoSaturdayShift,
      start: "2025-12-31T17:00+09:00",
      minutes: 120,
      expected: "2026-01-03T11:00+09:00",
    },
    {
      name: "Santiago: the repeated hour at the end of Saturday counts twice",
      calendar: santiago,
      start: "2026-04-04T22:00-03:00",
      minutes: 150,
      expected: "2026-04-04T23:30-04:00",
    },
    {
      name: "Santiago: an overnight span in April holds 300 real minutes",
      calendar: santiago,
      start: "2026-04-04T22:00-03:00",
      minutes: 300,
      expected: "2026-04-05T02:00-04:00",
    },
    {
      name: "Santiago: the skipped midnight hour does not count",
      calendar: santiago,
      start: "2026-09-05T22:00-04:00",
      minutes: 120,
      expected: "2026-09-06T01:00-03:00",
    },
    {
      name: "Santiago: an overnight span in September holds 180 real minutes",
      calendar: santiago,
      start: "2026-09-05T22:00-04:00",
      minutes: 180,
      expected: "2026-09-06T02:00-03:00",
    },
    {
      name: "Santiago: a span from a midnight that does not exist opens at 01:00",
      calendar: santiagoSundayMidnight,
      start: "2026-09-05T23:30-04:00",
      minutes: 0,
      expected: "2026-09-06T01:00-03:00",
    },
    {
      name: "pauses: a pause stops the clock",
      calendar: newYork,
      start: "2026-03-02T09:00-05:00",
      minutes: 60,
      pauses: [["2026-03-02T09:30-05:00", "2026-03-02T10:00-05:00"]],
      expected: "2026-03-02T10:30-05:00",
    },
    {
      name: "pauses: a clock started inside a pause counts from its end",
      calendar: newYork,
      start: "2026-03-02T09:15-05:00",
      minutes: 60,
      pauses: [["2026-03-02T09:00-05:00", "2026-03-02T09:45-05:00"]],
      expected: "2026-03-02T10:45-05:00",
    },
    {
      name: "pauses: a pause past closing waits for the next opening",
      calendar: newYork,
      start: "2026-03-02T17:00-05:00",
      minutes: 60,
      pauses: [["2026-03-02T16:00-05:00", "2026-03-02T20:00-05:00"]],
      expected: "2026-03-03T10:00-05:00",
    },
    {
      name: "pauses: overlapping pauses count once",
      calendar: newYork,
      start: "2026-03-02T09:00-05:00",
      minutes: 60,
      pauses: [
        ["2026-03-02T09:20-05:00", "2026-03-02T09:40-05:00"],
        ["2026-03-02T09:10-05:00", "2026-03-02T09:30-05:00"],
      ],
      expected: "2026-03-02T10:30-05:00",
    },
    {
      name: "pauses: a pause over a weekend and a whole business day",
      calendar: newYork,
      start: "2026-03-06T17:00-05:00",
      minutes: 60,
      pauses: [["2026-03-06T17:00-05:00", "2026-03-10T00:00-04:00"]],
      expected: "2026-03-10T10:00-04:00",
    },
    {
      name: "always open: plain elapsed time",
      calendar: ALWAYS_OPEN,
      start: "2026-03-08T06:30Z",
      minutes: 90,
      expected: "2026-03-08T08:00Z",
    },
    {
      name: "negative minutes subtract",
      calendar: newYork,
      start: "2026-03-09T10:00-04:00",
      minutes: -120,
      expected: "2026-03-06T16:30-05:00",
    },
  ];

  it.each(cases)("$name", ({ calendar, start, minutes, pauses, expected }) => {
    expect(addBusinessMinutes(new Date(start), minutes, calendar, toOptions(pauses)).toISOString()).toBe(iso(expected));
  });
});

describe("subtractBusinessMinutes", () => {
  const cases: ShiftCase[] = [
    {
      name: "New York: back over the weekend the clocks spring forward",
      calendar: newYork,
      start: "2026-03-09T10:00-04:00",
      minutes: 120,
      expected: "2026-03-06T16:30-05:00",
    },
    {
      name: "New York: a count landing on an opening stays there",
      calendar: newYork,
      start: "2026-03-02T10:00-05:00",
      minutes: 60,
      expected: "2026-03-02T09:00-05:00",
    },
    {
      name: "New York: 0 minutes outside hours gives the previous closing time",
      calendar: newYork,
      start: "2026-03-07T12:00-05:00",
      minutes: 0,
      expected: "2026-03-06T17:30-05:00",
    },
    {
      name: "New York: 0 minutes at the opening instant stays (spans are [open, close))",
      calendar: newYork,
      start: "2026-03-06T09:00-05:00",
      minutes: 0,
      expected: "2026-03-06T09:00-05:00",
    },
    {
      name: "New York: 0 minutes in hours stays",
      calendar: newYork,
      start: "2026-03-06T12:00-05:00",
      minutes: 0,
      expected: "2026-03-06T12:00-05:00",
    },
    {
      name: "New York: 0 minutes at a closing time stays",
      calendar: newYork,
      start: "2026-03-06T17:30-05:00",
      minutes: 0,
      expected: "2026-03-06T17:30-05:00",
    },
    {
      name: "pauses: 0 minutes inside a pause gives its start",
      calendar: newYork,
      start: "2026-03-02T09:45-05:00",
      minutes: 0,
      pauses: [["2026-03-02T09:30-05:00", "2026-03-02T10:00-05:00"]],
      expected: "2026-03-02T09:30-05:00",
    },
    {
      name: "New York: from outside hours",
      calendar: newYork,
      start: "2026-03-07T12:00-05:00",
      minutes: 30,
      expected: "2026-03-06T17:00-05:00",
    },
    {
      name: "New York: from an opening",
      calendar: newYork,
      start: "2026-03-03T09:00-05:00",
      minutes: 30,
      expected: "2026-03-02T17:00-05:00",
    },
    {
      name: "New York: back into the first of two repeated hours",
      calendar: newYorkSaturdayNights,
      start: "2026-11-01T06:00-05:00",
      minutes: 360,
      expected: "2026-11-01T01:00-04:00",
    },
    {
      name: "London: back over the lunch break",
      calendar: londonOffice,
      start: "2026-03-02T14:00Z",
      minutes: 60,
      expected: "2026-03-02T12:00Z",
    },
    {
      name: "Santiago: back over the skipped midnight hour",
      calendar: santiago,
      start: "2026-09-06T02:00-03:00",
      minutes: 120,
      expected: "2026-09-05T23:00-04:00",
    },
    {
      name: "pauses: a pause stops the clock",
      calendar: newYork,
      start: "2026-03-02T10:30-05:00",
      minutes: 60,
      pauses: [["2026-03-02T09:30-05:00", "2026-03-02T10:00-05:00"]],
      expected: "2026-03-02T09:00-05:00",
    },
    {
      name: "negative minutes add",
      calendar: newYork,
      start: "2026-03-06T16:30-05:00",
      minutes: -120,
      expected: "2026-03-09T10:00-04:00",
    },
  ];

  it.each(cases)("$name", ({ calendar, start, minutes, pauses, expected }) => {
    expect(subtractBusinessMinutes(new Date(start), minutes, calendar, toOptions(pauses)).toISOString()).toBe(
      iso(expected),
    );
  });
});

describe("businessMinutesBetween", () => {
  const cases: Array<{
    name: string;
    calendar: BusinessCalendar;
    from: string;
    to: string;
    pauses?: Array<[string, string]>;
    expected: number;
  }> = [
    {
      name: "New York: a working week across the spring change",
      calendar: newYork,
      from: "2026-03-02T00:00-05:00",
      to: "2026-03-09T00:00-04:00",
      expected: 2550,
    },
    {
      name: "New York: an overnight span in spring",
      calendar: newYorkSaturdayNights,
      from: "2026-03-07T12:00-05:00",
      to: "2026-03-09T00:00-04:00",
      expected: 420,
    },
    {
      name: "New York: an overnight span in autumn",
      calendar: newYorkSaturdayNights,
      from: "2026-10-31T12:00-04:00",
      to: "2026-11-02T00:00-05:00",
      expected: 540,
    },
    {
      name: "New York: a span ending two UTC days after its start day",
      calendar: newYorkLongFridays,
      from: "2026-03-08T00:00Z",
      to: "2026-03-09T00:00Z",
      expected: 180,
    },
    {
      name: "London: a whole Sunday in spring is 23 hours",
      calendar: londonSundays,
      from: "2026-03-28T12:00Z",
      to: "2026-03-30T12:00+01:00",
      expected: 1380,
    },
    {
      name: "London: a whole Sunday in autumn is 25 hours",
      calendar: londonSundays,
      from: "2026-10-24T12:00+01:00",
      to: "2026-10-26T12:00Z",
      expected: 1500,
    },
    {
      name: "London: a span across the skipped hour",
      calendar: londonEarlySundays,
      from: "2026-03-28T12:00Z",
      to: "2026-03-30T12:00+01:00",
      expected: 60,
    },
    {
      name: "London: a span across the repeated hour",
      calendar: londonEarlySundays,
      from: "2026-10-24T12:00+01:00",
      to: "2026-10-26T12:00Z",
      expected: 180,
    },
    {
      name: "London: a span wholly in the skipped hour",
      calendar: londonSundayGap,
      from: "2026-03-28T12:00Z",
      to: "2026-03-30T12:00+01:00",
      expected: 0,
    },
    {
      name: "London: a span wholly in the repeated hour",
      calendar: londonSundayGap,
      from: "2026-10-24T12:00+01:00",
      to: "2026-10-26T12:00Z",
      expected: 60,
    },
    {
      name: "London: a holiday keeps the morning of the night before",
      calendar: londonNights,
      from: "2026-12-25T00:00Z",
      to: "2026-12-26T00:00Z",
      expected: 360,
    },
    {
      name: "Tokyo: the last working days of the year",
      calendar: tokyo,
      from: "2025-12-29T00:00+09:00",
      to: "2026-01-05T00:00+09:00",
      expected: 1620,
    },
    {
      name: "Santiago: an overnight span in April",
      calendar: santiago,
      from: "2026-04-04T21:00-03:00",
      to: "2026-04-05T07:00-04:00",
      expected: 300,
    },
    {
      name: "Santiago: an overnight span in September",
      calendar: santiago,
      from: "2026-09-05T21:00-04:00",
      to: "2026-09-06T07:00-03:00",
      expected: 180,
    },
    {
      name: "pauses: a paused lunch hour",
      calendar: newYork,
      from: "2026-03-02T09:00-05:00",
      to: "2026-03-02T17:30-05:00",
      pauses: [["2026-03-02T12:00-05:00", "2026-03-02T13:00-05:00"]],
      expected: 450,
    },
    {
      name: "fractional minutes",
      calendar: newYork,
      from: "2026-03-02T09:00-05:00",
      to: "2026-03-02T09:00:45-05:00",
      expected: 0.75,
    },
    {
      name: "negative when `to` is before `from`",
      calendar: newYork,
      from: "2026-03-09T00:00-04:00",
      to: "2026-03-02T00:00-05:00",
      expected: -2550,
    },
    {
      name: "zero, not minus zero, backwards over a weekend",
      calendar: newYork,
      from: "2026-03-08T12:00-04:00",
      to: "2026-03-07T12:00-05:00",
      expected: 0,
    },
    {
      name: "an empty stretch",
      calendar: newYork,
      from: "2026-03-02T10:00-05:00",
      to: "2026-03-02T10:00-05:00",
      expected: 0,
    },
    {
      name: "a calendar without business hours",
      calendar: closed,
      from: "2026-01-01T00:00Z",
      to: "2026-03-01T00:00Z",
      expected: 0,
    },
  ];

  it.each(cases)("$name", ({ calendar, from, to, pauses, expected }) => {
    expect(businessMinutesBetween(new Date(from), new Date(to), calendar, toOptions(pauses))).toBe(expected);
  });
});

describe("nextBusinessInstant", () => {
  const cases: Array<{
    name: string;
    calendar: BusinessCalendar;
    t: string;
    pauses?: Array<[string, string]>;
    expected: string;
  }> = [
    { name: "inside hours", calendar: newYork, t: "2026-03-02T11:00-05:00", expected: "2026-03-02T11:00-05:00" },
    { name: "at opening", calendar: newYork, t: "2026-03-02T09:00-05:00", expected: "2026-03-02T09:00-05:00" },
    { name: "on a weekend", calendar: newYork, t: "2026-03-07T12:00-05:00", expected: "2026-03-09T09:00-04:00" },
    {
      name: "inside a pause",
      calendar: newYork,
      t: "2026-03-02T11:00-05:00",
      pauses: [["2026-03-02T10:00-05:00", "2026-03-02T11:30-05:00"]],
      expected: "2026-03-02T11:30-05:00",
    },
    {
      name: "inside a pause ending after closing",
      calendar: newYork,
      t: "2026-03-02T17:00-05:00",
      pauses: [["2026-03-02T17:00-05:00", "2026-03-02T18:00-05:00"]],
      expected: "2026-03-03T09:00-05:00",
    },
    {
      name: "on a holiday",
      calendar: londonOffice,
      t: "2026-12-25T10:00Z",
      expected: "2026-12-29T09:00Z",
    },
  ];

  it.each(cases)("$name", ({ calendar, t, pauses, expected }) => {
    expect(nextBusinessInstant(new Date(t), calendar, toOptions(pauses)).toISOString()).toBe(iso(expected));
  });
});

describe("bad input", () => {
  const monday = new Date("2026-03-02T10:00Z");

  it("rejects an invalid calendar, naming the field", () => {
    const error = catchAppError(() => addBusinessMinutes(monday, 1, { timeZone: "Mars/Olympus", weekly: {} }));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual({ timeZone: "must be an IANA time zone such as Europe/London" });
  });

  it.each([
    ["add", () => addBusinessMinutes(monday, 1, closed)],
    ["subtract", () => subtractBusinessMinutes(monday, 1, closed)],
    ["next", () => nextBusinessInstant(monday, closed)],
  ])("%s fails on a calendar without business hours", (_, run) => {
    const error = catchAppError(run);
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.reason).toBe("no_business_time");
  });

  it("fails after the last override of a calendar without weekly hours", () => {
    const onlyOnce: BusinessCalendar = { ...closed, overrides: { "2026-06-01": [["09:00", "10:00"]] } };
    expect(addBusinessMinutes(monday, 30, onlyOnce).toISOString()).toBe(iso("2026-06-01T09:30+01:00"));
    expect(catchAppError(() => addBusinessMinutes(monday, 90, onlyOnce)).details.reason).toBe("no_business_time");
  });

  it.each([
    ["an invalid start", () => addBusinessMinutes(new Date(Number.NaN), 1, newYork), "invalid_date"],
    ["non-finite minutes", () => addBusinessMinutes(monday, Number.POSITIVE_INFINITY, newYork), "minutes_not_finite"],
    [
      "a pause ending before it starts",
      () => businessMinutesBetween(monday, monday, newYork, { pauses: [[monday, new Date("2026-03-01T00:00Z")]] }),
      "pause_reversed",
    ],
  ])("rejects %s", (_, run, reason) => {
    const error = catchAppError(run);
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.reason).toBe(reason);
  });
});
