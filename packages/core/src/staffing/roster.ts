/**
 * Who is on shift when. Pure: no I/O.
 *
 * A roster is recurring weekly shifts plus exceptions:
 * - a shift is a weekday and local times in the agency's zone ("Mon 08:00–16:00"); an end at or before the start
 *   runs past midnight into the next day; a shift applies to the dates `[startsOn, endsOn)` (endsOn null: until
 *   further notice), so ending a shift keeps the weeks it was worked right in past plans;
 * - an exception is an instant range for one moderator: an `absence` (leave, sickness, training) takes them off
 *   whatever shift covers it, an `extra` puts them on (overtime, a launch cover).
 * A moderator's time on shift in an hour is a share of it (half an hour = 0.5), and a pool's rostered count in an
 * hour is the sum over its moderators.
 */

import type { RosterExceptionKind } from "@parley/contracts";
import { addDaysToLocalDate } from "@parley/contracts/billing";
import { localWallTime, wallTimeInstant } from "../sla/zone-offsets";
import { HOUR_MS, hourStartOf } from "./forecast";

export interface RosterShiftRule {
  membershipId: string;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** Minutes after local midnight: start 0–1439, end 1–1440 (an end at or before the start is the next day's). */
  startMinute: number;
  endMinute: number;
  /** Local dates "YYYY-MM-DD": the shift applies on `[startsOn, endsOn)`. */
  startsOn: string;
  endsOn: string | null;
}

export interface RosterExceptionRule {
  membershipId: string;
  kind: RosterExceptionKind;
  startsAt: Date;
  endsAt: Date;
}

type Interval = [start: number, end: number];

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: Interval[] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function subtract(intervals: Interval[], holes: Interval[]): Interval[] {
  let result = intervals;
  for (const [holeStart, holeEnd] of holes) {
    result = result.flatMap(([start, end]): Interval[] => {
      if (holeEnd <= start || end <= holeStart) return [[start, end]];
      return [
        ...(start < holeStart ? [[start, holeStart] as Interval] : []),
        ...(holeEnd < end ? [[holeEnd, end] as Interval] : []),
      ];
    });
  }
  return result;
}

/** The weekday (0 = Monday) of a local date. */
function weekdayOf(localDate: string): number {
  return (new Date(`${localDate}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** The instants a shift covers on `localDate` (which must be its weekday). */
function shiftInterval(shift: RosterShiftRule, localDate: string, timeZone: string): Interval {
  const overnight = shift.endMinute <= shift.startMinute;
  return [
    wallTimeInstant(localDate, shift.startMinute, timeZone),
    wallTimeInstant(overnight ? addDaysToLocalDate(localDate, 1) : localDate, shift.endMinute, timeZone),
  ];
}

/** Each moderator's time on shift within `[from, to)`, as merged instant ranges. */
export function onShiftIntervals(input: {
  shifts: readonly RosterShiftRule[];
  exceptions: readonly RosterExceptionRule[];
  timeZone: string;
  from: number;
  to: number;
}): Map<string, Interval[]> {
  const byMember = new Map<string, Interval[]>();
  const add = (membershipId: string, interval: Interval) => {
    if (interval[1] <= input.from || interval[0] >= input.to) return;
    byMember.set(membershipId, [...(byMember.get(membershipId) ?? []), interval]);
  };
  // From the day before `from`: an overnight shift that started then still runs into it.
  const lastDate = localWallTime(input.to, input.timeZone).date;
  for (
    let date = localWallTime(input.from - 24 * HOUR_MS, input.timeZone).date;
    date <= lastDate;
    date = addDaysToLocalDate(date, 1)
  ) {
    const weekday = weekdayOf(date);
    for (const shift of input.shifts) {
      if (shift.weekday !== weekday || date < shift.startsOn || (shift.endsOn !== null && date >= shift.endsOn)) {
        continue;
      }
      add(shift.membershipId, shiftInterval(shift, date, input.timeZone));
    }
  }
  for (const exception of input.exceptions) {
    if (exception.kind === "extra")
      add(exception.membershipId, [exception.startsAt.getTime(), exception.endsAt.getTime()]);
  }
  const result = new Map<string, Interval[]>();
  for (const [membershipId, intervals] of byMember) {
    const absences = input.exceptions
      .filter((exception) => exception.kind === "absence" && exception.membershipId === membershipId)
      .map((exception): Interval => [exception.startsAt.getTime(), exception.endsAt.getTime()]);
    const worked = subtract(merge(intervals), absences);
    if (worked.length > 0) result.set(membershipId, worked);
  }
  return result;
}

/**
 * Per moderator, the share of each of `hours` hours from `from` (an hour start) they are on shift: 1 for a full
 * hour, 0.5 for half of it.
 */
export function onShiftHours(input: {
  shifts: readonly RosterShiftRule[];
  exceptions: readonly RosterExceptionRule[];
  timeZone: string;
  from: number;
  hours: number;
}): Map<string, number[]> {
  const from = hourStartOf(input.from);
  const intervals = onShiftIntervals({ ...input, from, to: from + input.hours * HOUR_MS });
  const result = new Map<string, number[]>();
  for (const [membershipId, worked] of intervals) {
    const shares = new Array<number>(input.hours).fill(0);
    for (const [start, end] of worked) {
      for (let index = Math.max(0, Math.floor((start - from) / HOUR_MS)); index < input.hours; index++) {
        const hourStart = from + index * HOUR_MS;
        if (hourStart >= end) break;
        const covered = Math.min(end, hourStart + HOUR_MS) - Math.max(start, hourStart);
        if (covered > 0) shares[index] = (shares[index] ?? 0) + covered / HOUR_MS;
      }
    }
    result.set(membershipId, shares);
  }
  return result;
}
