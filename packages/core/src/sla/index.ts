/**
 * Business-time arithmetic for SLA clocks. Pure: no I/O and no clock reads.
 *
 * - Time is real elapsed time: a business hour across a DST change is 60 real
 *   minutes; local times skipped by a change are closed, repeated ones count twice.
 * - A span belongs to the local day it starts on: a holiday or override closes or
 *   replaces the spans starting that day, while an overnight span from the day
 *   before still runs into its morning.
 * - Results are exact to the millisecond (Date's resolution); fractional minutes are rounded to it.
 */
export {
  ALWAYS_OPEN,
  type BusinessCalendar,
  businessCalendarSchema,
  type Span,
  type Weekday,
} from "./business-calendar";
export {
  addBusinessMinutes,
  businessMinutesBetween,
  type ClockOptions,
  nextBusinessInstant,
  subtractBusinessMinutes,
} from "./business-time";
