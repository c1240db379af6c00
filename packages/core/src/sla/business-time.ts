import { AppError } from "@parley/contracts";
import type { BusinessCalendar } from "./business-calendar";
import {
  type CalendarPlan,
  DAY_MS,
  getBusinessIntervals,
  getCalendarPlan,
  MINUTE_MS,
  mergeIntervals,
} from "./business-intervals";

export interface ClockOptions {
  /** [start, end) spans during which the clock is stopped. */
  pauses?: Array<[Date, Date]>;
}

/**
 * Once a walk has crossed this many UTC days without business hours, past the
 * reach of every holiday and override (two days), the weekly pattern has none either.
 */
const IDLE_DAYS_LIMIT = 10;
const NO_PAUSES: readonly number[] = [];

interface Walk {
  at: number;
  spentMs: number;
}

/**
 * The instant at which `minutes` of business time have elapsed since `start`.
 * The clock starts at the next business instant (so 0 minutes outside hours gives
 * the next opening) and a deadline landing on a closing time stays there.
 * Negative minutes subtract.
 *
 * Zero, by convention (as zendesk/biz and bokmann/business_time): adding 0 gives the earliest business instant at
 * or after `start` (the next opening when closed); subtracting 0 gives the latest business instant at or before it
 * (the previous closing time when closed). Both give `start` itself inside business hours.
 */
export function addBusinessMinutes(
  start: Date,
  minutes: number,
  calendar: BusinessCalendar,
  options: ClockOptions = {},
): Date {
  const durationMs = toDurationMs(minutes);
  if (durationMs < 0) return subtractBusinessMinutes(start, -minutes, calendar, options);
  const plan = getCalendarPlan(calendar);
  return new Date(walkForward(plan, toPauseIntervals(options), toEpochMs(start, "start"), durationMs, Infinity).at);
}

/**
 * The latest instant from which `minutes` of business time run up to `start`, and an opening time rather than the
 * previous closing when the count lands there. 0 minutes: `start` inside business hours, otherwise the latest
 * business instant before it (the previous closing time, or the start of the pause `start` is in). Negative
 * minutes add.
 */
export function subtractBusinessMinutes(
  start: Date,
  minutes: number,
  calendar: BusinessCalendar,
  options: ClockOptions = {},
): Date {
  const durationMs = toDurationMs(minutes);
  if (durationMs < 0) return addBusinessMinutes(start, -minutes, calendar, options);
  // Spans are [open, close): at the opening instant `start` is business time itself, though the walk back looks at
  // the instant before it.
  if (durationMs === 0 && nextBusinessInstant(start, calendar, options).getTime() === start.getTime()) return start;
  const plan = getCalendarPlan(calendar);
  return new Date(walkBackward(plan, toPauseIntervals(options), toEpochMs(start, "start"), durationMs));
}

/** Business minutes in [from, to), fractional; negative when `to` is before `from`. */
export function businessMinutesBetween(
  from: Date,
  to: Date,
  calendar: BusinessCalendar,
  options: ClockOptions = {},
): number {
  const fromMs = toEpochMs(from, "from");
  const toMs = toEpochMs(to, "to");
  const plan = getCalendarPlan(calendar);
  const pauses = toPauseIntervals(options);
  const reversed = toMs < fromMs;
  const minutes = reversed
    ? walkForward(plan, pauses, toMs, Infinity, fromMs).spentMs / MINUTE_MS
    : walkForward(plan, pauses, fromMs, Infinity, toMs).spentMs / MINUTE_MS;
  // `0 - minutes`, not `-minutes`, which would be -0 for a stretch without business time.
  return reversed ? 0 - minutes : minutes;
}

/** `t` when it is business time and not paused, otherwise the next instant that is. */
export function nextBusinessInstant(t: Date, calendar: BusinessCalendar, options: ClockOptions = {}): Date {
  return addBusinessMinutes(t, 0, calendar, options);
}

/** Spends `budgetMs` of unpaused business time from `from`, stopping early at `until`. */
function walkForward(
  plan: CalendarPlan,
  pauses: readonly number[],
  from: number,
  budgetMs: number,
  until: number,
): Walk {
  let at = from;
  let spentMs = 0;
  let pause = 0;
  let idleDays = 0;
  while (at < until) {
    const day = Math.floor(at / DAY_MS);
    const intervals = getBusinessIntervals(plan, day);
    idleDays = intervals.length === 0 ? idleDays + 1 : 0;
    if (until === Infinity && idleDays > IDLE_DAYS_LIMIT && day > plan.lastSpecialDay + 2)
      throw noBusinessTime("after", at);
    for (let i = 0; i < intervals.length; i += 2) {
      const end = Math.min(intervals[i + 1]!, until);
      let cursor = Math.max(intervals[i]!, at);
      while (cursor < end) {
        while (pause < pauses.length && pauses[pause + 1]! <= cursor) pause += 2;
        const pauseStart = pause < pauses.length ? pauses[pause]! : Infinity;
        if (pauseStart <= cursor) {
          cursor = pauses[pause + 1]!;
          continue;
        }
        const pieceEnd = Math.min(end, pauseStart);
        const remainingMs = budgetMs - spentMs;
        if (remainingMs <= pieceEnd - cursor) return { at: cursor + remainingMs, spentMs: budgetMs };
        spentMs += pieceEnd - cursor;
        cursor = pieceEnd;
      }
      at = Math.max(at, cursor);
    }
    at = Math.max(at, (day + 1) * DAY_MS);
  }
  return { at: until, spentMs };
}

/**
 * Mirror of walkForward without a bound: returns the instant where `budgetMs` runs out, which for 0 is the first
 * unpaused business instant met going back (the loop only ends by returning or throwing).
 */
function walkBackward(plan: CalendarPlan, pauses: readonly number[], from: number, budgetMs: number): number {
  let at = from;
  let spentMs = 0;
  let pause = pauses.length - 2;
  let idleDays = 0;
  for (;;) {
    // The day holding the instant just before `at`.
    const day = Math.floor((at - 1) / DAY_MS);
    const intervals = getBusinessIntervals(plan, day);
    idleDays = intervals.length === 0 ? idleDays + 1 : 0;
    if (idleDays > IDLE_DAYS_LIMIT && day < plan.firstSpecialDay - 2) throw noBusinessTime("before", at);
    for (let i = intervals.length - 2; i >= 0; i -= 2) {
      const start = intervals[i]!;
      let cursor = Math.min(intervals[i + 1]!, at);
      while (cursor > start) {
        while (pause >= 0 && pauses[pause]! >= cursor) pause -= 2;
        const pauseEnd = pause >= 0 ? pauses[pause + 1]! : -Infinity;
        if (pauseEnd >= cursor) {
          cursor = pauses[pause]!;
          continue;
        }
        const pieceStart = Math.max(start, pauseEnd);
        const remainingMs = budgetMs - spentMs;
        if (remainingMs <= cursor - pieceStart) return cursor - remainingMs;
        spentMs += cursor - pieceStart;
        cursor = pieceStart;
      }
      at = Math.min(at, cursor);
    }
    at = Math.min(at, day * DAY_MS);
  }
}

/** Pauses as sorted, disjoint, flattened [start, end) epoch-ms pairs. */
function toPauseIntervals(options: ClockOptions): readonly number[] {
  if (!options.pauses?.length) return NO_PAUSES;
  const flat: number[] = [];
  options.pauses.forEach(([start, end], index) => {
    const startMs = toEpochMs(start, `pauses.${index}.0`);
    const endMs = toEpochMs(end, `pauses.${index}.1`);
    if (endMs < startMs) {
      throw new AppError("BAD_INPUT", `pauses.${index} must not end before it starts`, { reason: "pause_reversed" });
    }
    if (startMs < endMs) flat.push(startMs, endMs);
  });
  return mergeIntervals(flat);
}

/** Date only resolves milliseconds, so durations are rounded to them. */
function toDurationMs(minutes: number): number {
  if (!Number.isFinite(minutes)) {
    throw new AppError("BAD_INPUT", "minutes must be a finite number", { reason: "minutes_not_finite" });
  }
  return Math.round(minutes * MINUTE_MS);
}

function toEpochMs(date: Date, field: string): number {
  const epochMs = date.getTime();
  if (Number.isNaN(epochMs))
    throw new AppError("BAD_INPUT", `${field} must be a valid date`, { reason: "invalid_date" });
  return epochMs;
}

function noBusinessTime(direction: "after" | "before", at: number): AppError {
  return new AppError("BAD_INPUT", `The calendar has no business hours ${direction} ${new Date(at).toISOString()}`, {
    reason: "no_business_time",
  });
}
