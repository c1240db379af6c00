import { badInput } from "@parley/contracts";
import {
  type BusinessCalendar,
  businessCalendarSchema,
  parseClockTime,
  parseLocalDate,
  weekdays,
} from "./business-calendar";
import { getOffsetSegments } from "./zone-offsets";

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/**
 * Wider than any UTC offset the tz database has used (local mean times reached
 * ±15:56), so every instant of a local day lies within this margin of its UTC day.
 */
const OFFSET_MARGIN_MS = 18 * 3_600_000;
const DAY_CACHE_LIMIT = 4_000;
const PLAN_CACHE_LIMIT = 256;
const NO_INTERVALS: readonly number[] = [];

/**
 * A calendar compiled for lookups. Spans are flattened [startMinute, endMinute, ...]
 * pairs from local midnight (an overnight end is past 1440); intervals are flattened
 * [start, end) epoch-ms pairs, sorted and disjoint.
 */
export interface CalendarPlan {
  timeZone: string;
  weeklySpans: number[][];
  holidays: Set<number>;
  overrides: Map<number, number[]>;
  /** Day numbers bounding the holidays and overrides: past them the weekly pattern repeats. */
  firstSpecialDay: number;
  lastSpecialDay: number;
  localDays: Map<number, readonly number[]>;
  utcDays: Map<number, readonly number[]>;
}

// A calendar must not be mutated once it has been used: plans are found by identity first.
const plansByIdentity = new WeakMap<BusinessCalendar, CalendarPlan>();
// Calendars read from storage are new objects on every read; equal ones share a plan and its caches.
const plansByContent = new Map<string, CalendarPlan>();

export function getCalendarPlan(calendar: BusinessCalendar): CalendarPlan {
  let plan = plansByIdentity.get(calendar);
  if (!plan) {
    const content = JSON.stringify(calendar);
    plan = plansByContent.get(content);
    if (!plan) {
      plan = compileCalendar(calendar);
      if (plansByContent.size >= PLAN_CACHE_LIMIT) plansByContent.clear();
      plansByContent.set(content, plan);
    }
    plansByIdentity.set(calendar, plan);
  }
  return plan;
}

/** Business intervals of the UTC day `utcDay` (days since the epoch), clipped to it. */
export function getBusinessIntervals(plan: CalendarPlan, utcDay: number): readonly number[] {
  let intervals = plan.utcDays.get(utcDay);
  if (intervals === undefined) {
    const dayStart = utcDay * DAY_MS;
    const dayEnd = dayStart + DAY_MS;
    const clipped: number[] = [];
    // A local day's spans reach at most two days past its midnight, shifted by the offset.
    for (let localDay = utcDay - 2; localDay <= utcDay + 1; localDay++) {
      const local = getLocalDayIntervals(plan, localDay);
      for (let i = 0; i < local.length; i += 2) {
        const start = Math.max(local[i]!, dayStart);
        const end = Math.min(local[i + 1]!, dayEnd);
        if (start < end) clipped.push(start, end);
      }
    }
    intervals = mergeIntervals(clipped);
    rememberDay(plan.utcDays, utcDay, intervals);
  }
  return intervals;
}

/** Sorts flattened [start, end) pairs and joins those that overlap or touch. */
export function mergeIntervals(flat: readonly number[]): number[] {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of pairs) {
    const last = merged.length - 1;
    if (merged.length > 0 && start <= merged[last]!) merged[last] = Math.max(merged[last]!, end);
    else merged.push(start, end);
  }
  return merged;
}

function compileCalendar(calendar: BusinessCalendar): CalendarPlan {
  const parsed = businessCalendarSchema.safeParse(calendar);
  if (!parsed.success) throw badInput(parsed.error.issues);
  const { weekly, holidays = [], overrides = {} } = parsed.data;
  const holidayDays = new Set(holidays.map(parseLocalDate));
  const overrideDays = new Map(
    Object.entries(overrides).map(([date, spans]) => [parseLocalDate(date), flattenSpans(spans)]),
  );
  const specialDays = [...holidayDays, ...overrideDays.keys()];
  return {
    timeZone: parsed.data.timeZone,
    weeklySpans: weekdays.map((day) => flattenSpans(weekly[day] ?? [])),
    holidays: holidayDays,
    overrides: overrideDays,
    firstSpecialDay: Math.min(...specialDays),
    lastSpecialDay: Math.max(...specialDays),
    localDays: new Map(),
    utcDays: new Map(),
  };
}

function flattenSpans(spans: ReadonlyArray<readonly [string, string]>): number[] {
  const flat: number[] = [];
  for (const [start, end] of spans) {
    const startMinute = parseClockTime(start);
    const endMinute = parseClockTime(end);
    flat.push(startMinute, endMinute <= startMinute ? endMinute + 1440 : endMinute);
  }
  return flat;
}

/**
 * The real instants whose wall-clock time falls in the spans starting on local
 * day `localDay`: local times skipped by a DST change have no instants, repeated
 * ones have two, so the intervals measure real elapsed time.
 */
function getLocalDayIntervals(plan: CalendarPlan, localDay: number): readonly number[] {
  const spans =
    plan.overrides.get(localDay) ?? (plan.holidays.has(localDay) ? NO_INTERVALS : getWeeklySpans(plan, localDay));
  if (spans.length === 0) return NO_INTERVALS;
  let intervals = plan.localDays.get(localDay);
  if (intervals === undefined) {
    const midnight = localDay * DAY_MS;
    const segments = getOffsetSegments(
      plan.timeZone,
      midnight - OFFSET_MARGIN_MS,
      midnight + 2 * DAY_MS + OFFSET_MARGIN_MS,
    );
    const pieces: number[] = [];
    for (let i = 0; i < spans.length; i += 2) {
      const wallStart = midnight + spans[i]! * MINUTE_MS;
      const wallEnd = midnight + spans[i + 1]! * MINUTE_MS;
      for (const segment of segments) {
        const start = Math.max(wallStart - segment.offsetMs, segment.start);
        const end = Math.min(wallEnd - segment.offsetMs, segment.end);
        if (start < end) pieces.push(start, end);
      }
    }
    intervals = mergeIntervals(pieces);
    rememberDay(plan.localDays, localDay, intervals);
  }
  return intervals;
}

function getWeeklySpans(plan: CalendarPlan, localDay: number): readonly number[] {
  // Day 0 (1970-01-01) was a Thursday, index 4; the +11 keeps negative days positive.
  return plan.weeklySpans[((localDay % 7) + 11) % 7]!;
}

function rememberDay(cache: Map<number, readonly number[]>, day: number, intervals: readonly number[]): void {
  if (cache.size >= DAY_CACHE_LIMIT) cache.clear();
  cache.set(day, intervals);
}
