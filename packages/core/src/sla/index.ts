/**
 * Everything about SLA clocks.
 *
 * Pure (no I/O, no clock reads): business-time arithmetic (business-calendar, business-time; a business hour
 * across a DST change is 60 real minutes, a span belongs to the local day it starts on, results are exact to
 * the millisecond), the watcher's decision (`advanceClock`) and the planning of new items' clocks.
 *
 * With the database: the clocks' lifecycle as other areas change them (clock-lifecycle), the store the workflow
 * drivers advance (clock-store), the live SLA board, a client's SLA month, and the period aggregates the month
 * and the invoice count from (period-aggregates).
 */
export * from "./advance-clock";
export {
  ALWAYS_OPEN,
  type BusinessCalendar,
  businessCalendarSchema,
  type CalendarKind,
  calendarKinds,
  resolveCalendar,
  type Span,
  type Weekday,
} from "./business-calendar";
export * from "./business-hours";
export * from "./business-hours-preview";
export {
  addBusinessMinutes,
  businessMinutesBetween,
  type ClockOptions,
  nextBusinessInstant,
  subtractBusinessMinutes,
} from "./business-time";
export * from "./client-summary";
export * from "./clock-lifecycle";
export * from "./clock-rows";
export * from "./clock-store";
export * from "./clock-terms";
export * from "./clock-words";
export * from "./item-sla";
export * from "./period-aggregates";
export * from "./plan-item-clocks";
export * from "./sla-board";
export * from "./sla-month";
export * from "./sla-policy";
