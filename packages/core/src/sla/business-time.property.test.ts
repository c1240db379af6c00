import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BusinessCalendar, type Span, type Weekday, weekdays } from "./business-calendar";
import {
  addBusinessMinutes,
  businessMinutesBetween,
  type ClockOptions,
  nextBusinessInstant,
  subtractBusinessMinutes,
} from "./business-time";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** 2026 offset changes, to aim starts at; Tokyo has none. */
const offsetChanges: Record<string, string[]> = {
  "Europe/London": ["2026-03-29T01:00Z", "2026-10-25T01:00Z"],
  "America/New_York": ["2026-03-08T07:00Z", "2026-11-01T06:00Z"],
  "America/Santiago": ["2026-04-05T03:00Z", "2026-09-06T04:00Z"],
  "Asia/Tokyo": ["2026-06-15T00:00Z"],
};
const zones = Object.keys(offsetChanges);

function formatClockTime(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

function formatLocalDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const spanArb: fc.Arbitrary<Span> = fc
  .tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 0, max: 96 }))
  .filter(([start, end]) => start !== end)
  .map(([start, end]) => [formatClockTime(start * 15), formatClockTime(end * 15)]);
const daySpansArb = fc.array(spanArb, { maxLength: 3 });

/** A random calendar around `anchor`, always open Mondays 09:00-17:00 so that time keeps flowing. */
function calendarArb(zone: string, anchor: number): fc.Arbitrary<BusinessCalendar> {
  const anchorDay = Math.floor(anchor / DAY_MS);
  const nearbyDate = fc.integer({ min: anchorDay - 4, max: anchorDay + 4 }).map(formatLocalDate);
  return fc
    .record({
      weekly: fc.record(
        Object.fromEntries(weekdays.map((day) => [day, daySpansArb])) as Record<Weekday, typeof daySpansArb>,
      ),
      holidays: fc.uniqueArray(nearbyDate, { maxLength: 3 }),
      overrides: fc.dictionary(nearbyDate, daySpansArb, { maxKeys: 2 }),
    })
    .map(({ weekly, holidays, overrides }) => ({
      timeZone: zone,
      weekly: { ...weekly, mon: [...weekly.mon, ["09:00", "17:00"] satisfies Span] },
      holidays,
      overrides,
    }));
}

/** Minute-aligned pauses near `anchor`. */
function pausesArb(anchor: number): fc.Arbitrary<Array<[Date, Date]>> {
  const pause = fc
    .tuple(fc.integer({ min: -3 * 1440, max: 3 * 1440 }), fc.integer({ min: 1, max: 600 }))
    .map(([offset, length]): [Date, Date] => [
      new Date(anchor + offset * MINUTE_MS),
      new Date(anchor + (offset + length) * MINUTE_MS),
    ]);
  return fc.array(pause, { maxLength: 3 });
}

interface Scenario {
  calendar: BusinessCalendar;
  options: ClockOptions;
  /** A minute-aligned instant within three days of an offset change. */
  start: Date;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .constantFrom(...zones)
  .chain((zone) =>
    fc.constantFrom(...(offsetChanges[zone] ?? [])).map((change) => ({ zone, anchor: Date.parse(change) })),
  )
  .chain(({ zone, anchor }) =>
    fc.record({
      calendar: calendarArb(zone, anchor),
      options: pausesArb(anchor).map((pauses) => ({ pauses })),
      start: fc.integer({ min: -3 * 1440, max: 3 * 1440 }).map((offset) => new Date(anchor + offset * MINUTE_MS)),
    }),
  );

/** Minutes with a whole number of milliseconds, which Date can represent exactly. */
const minutesArb = fc.integer({ min: 0, max: 3 * 1440 * MINUTE_MS }).map((ms) => ms / MINUTE_MS);
const positiveMinutesArb = minutesArb.filter((minutes) => minutes > 0);

/**
 * An independent oracle: reads each instant's wall-clock time with Intl and
 * checks it against the spans of its own day and the overnight spans of the day before.
 */
function isBusinessInstant(calendar: BusinessCalendar, at: number, options: ClockOptions): boolean {
  if (options.pauses?.some(([start, end]) => start.getTime() <= at && at < end.getTime())) return false;
  const parts = getWallClock(calendar.timeZone).formatToParts(at);
  const field = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const day = Date.UTC(field("year"), field("month") - 1, field("day")) / DAY_MS;
  const minute = field("hour") * 60 + field("minute");
  const spansOf = (localDay: number): Array<[number, number]> => {
    const date = formatLocalDate(localDay);
    const spans =
      calendar.overrides?.[date] ??
      (calendar.holidays?.includes(date)
        ? []
        : (calendar.weekly[weekdays[new Date(localDay * DAY_MS).getUTCDay()]!] ?? []));
    return spans.map(([start, end]) => [toMinute(start), toMinute(end)]);
  };
  const today = spansOf(day).some(([start, end]) => start <= minute && (end <= start || minute < end));
  const fromYesterday = spansOf(day - 1).some(([start, end]) => end <= start && minute < end);
  return today || fromYesterday;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

function getWallClock(timeZone: string): Intl.DateTimeFormat {
  let wallClock = wallClocks.get(timeZone);
  if (!wallClock) {
    wallClock = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    wallClocks.set(timeZone, wallClock);
  }
  return wallClock;
}

function toMinute(clockTime: string): number {
  return Number(clockTime.slice(0, 2)) * 60 + Number(clockTime.slice(3, 5));
}

describe("business time properties", () => {
  it("businessMinutesBetween counts the minutes an Intl-based oracle calls business time", () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 2 * 1440 }), ({ calendar, options, start }, length) => {
        let expected = 0;
        for (let minute = 0; minute < length; minute++) {
          if (isBusinessInstant(calendar, start.getTime() + minute * MINUTE_MS, options)) expected++;
        }
        const end = new Date(start.getTime() + length * MINUTE_MS);
        expect(businessMinutesBetween(start, end, calendar, options)).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });

  it("nextBusinessInstant agrees with the oracle", () => {
    fc.assert(
      fc.property(scenarioArb, ({ calendar, options, start }) => {
        const next = nextBusinessInstant(start, calendar, options).getTime();
        expect(isBusinessInstant(calendar, next, options)).toBe(true);
        for (let at = start.getTime(); at < next; at += MINUTE_MS) {
          expect(isBusinessInstant(calendar, at, options)).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("businessMinutesBetween(s, addBusinessMinutes(s, m)) is m, from starts inside and outside hours", () => {
    const insideOrOutside = fc.record({
      inside: fc.boolean(),
      scenario: scenarioArb,
      nudgeMs: fc.integer({ min: 0, max: 59_999 }),
    });
    fc.assert(
      fc.property(insideOrOutside, minutesArb, ({ inside, scenario, nudgeMs }, minutes) => {
        const { calendar, options } = scenario;
        const start = inside
          ? addBusinessMinutes(scenario.start, nudgeMs / MINUTE_MS, calendar, options)
          : new Date(scenario.start.getTime() + nudgeMs);
        const end = addBusinessMinutes(start, minutes, calendar, options);
        expect(Math.abs(businessMinutesBetween(start, end, calendar, options) - minutes)).toBeLessThan(1e-6);
        if (minutes > 0) {
          // The earliest such instant: a deadline at closing time stays there.
          expect(businessMinutesBetween(start, new Date(end.getTime() - 1), calendar, options)).toBeLessThan(minutes);
        }
      }),
    );
  });

  it("rounds any fractional minutes to the millisecond", () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.double({ min: 0, max: 3 * 1440, noNaN: true }),
        ({ calendar, options, start }, minutes) => {
          const end = addBusinessMinutes(start, minutes, calendar, options);
          expect(Math.abs(businessMinutesBetween(start, end, calendar, options) - minutes)).toBeLessThanOrEqual(
            0.5 / MINUTE_MS + 1e-9,
          );
        },
      ),
    );
  });

  it("subtractBusinessMinutes inverts addBusinessMinutes, from the clock's start", () => {
    fc.assert(
      fc.property(scenarioArb, minutesArb, ({ calendar, options, start }, minutes) => {
        const end = addBusinessMinutes(start, minutes, calendar, options);
        expect(subtractBusinessMinutes(end, minutes, calendar, options)).toEqual(
          nextBusinessInstant(start, calendar, options),
        );
      }),
    );
  });

  // For 0 minutes subtracting moves to the latest business instant at or before, adding to the earliest at or after.
  it("addBusinessMinutes after subtractBusinessMinutes loses no business time", () => {
    fc.assert(
      fc.property(scenarioArb, positiveMinutesArb, ({ calendar, options, start }, minutes) => {
        const earlier = subtractBusinessMinutes(start, minutes, calendar, options);
        expect(Math.abs(businessMinutesBetween(earlier, start, calendar, options) - minutes)).toBeLessThan(1e-6);
        const back = addBusinessMinutes(earlier, minutes, calendar, options);
        expect(back.getTime()).toBeLessThanOrEqual(start.getTime());
        expect(businessMinutesBetween(back, start, calendar, options)).toBe(0);
      }),
    );
  });

  it("addBusinessMinutes is monotonic in minutes and in start; subtractBusinessMinutes too", () => {
    fc.assert(
      fc.property(
        scenarioArb,
        minutesArb,
        minutesArb,
        fc.integer({ min: 0, max: 1440 * MINUTE_MS }),
        ({ calendar, options, start }, a, b, laterByMs) => {
          const [fewer, more] = a <= b ? [a, b] : [b, a];
          const later = new Date(start.getTime() + laterByMs);
          const add = (from: Date, minutes: number) => addBusinessMinutes(from, minutes, calendar, options).getTime();
          const subtract = (from: Date, minutes: number) =>
            subtractBusinessMinutes(from, minutes, calendar, options).getTime();
          expect(add(start, fewer)).toBeLessThanOrEqual(add(start, more));
          expect(add(start, fewer)).toBeLessThanOrEqual(add(later, fewer));
          expect(subtract(start, fewer)).toBeGreaterThanOrEqual(subtract(start, more));
          expect(subtract(start, fewer)).toBeLessThanOrEqual(subtract(later, fewer));
        },
      ),
    );
  });

  it("businessMinutesBetween is additive and antisymmetric", () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.integer({ min: -2 * DAY_MS, max: 2 * DAY_MS }),
        fc.integer({ min: -2 * DAY_MS, max: 2 * DAY_MS }),
        ({ calendar, options, start }, toMiddle, toEnd) => {
          const middle = new Date(start.getTime() + toMiddle);
          const end = new Date(start.getTime() + toEnd);
          const between = (from: Date, to: Date) => businessMinutesBetween(from, to, calendar, options);
          expect(between(start, middle) + between(middle, end)).toBeCloseTo(between(start, end), 9);
          expect(between(end, start)).toBe(0 - between(start, end));
        },
      ),
    );
  });
});
