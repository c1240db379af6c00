import { timeZone } from "@parley/contracts";
import { z } from "zod";

/** In `Date#getUTCDay()` order, so a day number indexes it directly. */
export const weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof weekdays)[number];

/**
 * Local "HH:MM" times; "24:00" is the end of the day. An end before the start
 * is an overnight span: it runs into the next morning but belongs to the start day.
 */
export type Span = [start: string, end: string];

export interface BusinessCalendar {
  /** IANA zone in which the spans, holidays and overrides are read. */
  timeZone: string;
  /** Several spans a day are allowed (breaks); overlapping spans count once. */
  weekly: Partial<Record<Weekday, Span[]>>;
  /** Local dates "YYYY-MM-DD" whose own spans are closed (an overnight span from the day before still runs into the morning). */
  holidays?: string[];
  /** Local date -> spans replacing that day's weekly spans; [] closes the day. */
  overrides?: Record<string, Span[]>;
}

const clockTimePattern = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const localDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes since local midnight of a validated "HH:MM". */
export function parseClockTime(value: string): number {
  return Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));
}

/** Days since 1970-01-01 of a local date "YYYY-MM-DD", or NaN when it is not a real date. */
export function parseLocalDate(value: string): number {
  const match = localDatePattern.exec(value);
  if (!match) return Number.NaN;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const epochMs = Date.UTC(year, month - 1, day);
  return new Date(epochMs).getUTCDate() === day ? epochMs / 86_400_000 : Number.NaN;
}

const clockTime = z.string().regex(clockTimePattern, { message: 'must be "HH:MM" between 00:00 and 24:00' });
const span = z
  .tuple([clockTime, clockTime], { message: 'must be a ["HH:MM", "HH:MM"] pair' })
  .refine(([start]) => start !== "24:00", { message: "must not start at 24:00", path: [0] })
  .refine(([start, end]) => start !== end, { message: "must not end when it starts", path: [1] });
const spans = z.array(span, { message: "must be a list of spans" });
const localDate = z
  .string()
  .refine((value) => !Number.isNaN(parseLocalDate(value)), { message: 'must be a date "YYYY-MM-DD"' });

export const businessCalendarSchema: z.ZodType<BusinessCalendar> = z.object({
  timeZone,
  weekly: z.strictObject(Object.fromEntries(weekdays.map((day) => [day, spans.optional()])), {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `must only use the keys ${weekdays.join(", ")}` : undefined,
  }),
  holidays: z.array(localDate, { message: "must be a list of dates" }).optional(),
  overrides: z
    .record(localDate, spans, {
      error: (issue) => (issue.code === "invalid_key" ? 'must be a date "YYYY-MM-DD"' : undefined),
    })
    .optional(),
});

const wholeDay: Span[] = [["00:00", "24:00"]];

/** Every instant is business time. */
export const ALWAYS_OPEN: BusinessCalendar = {
  timeZone: "UTC",
  weekly: { sun: wholeDay, mon: wholeDay, tue: wholeDay, wed: wholeDay, thu: wholeDay, fri: wholeDay, sat: wholeDay },
};

/** The calendars a target can run on: around the clock, or the client's business hours. */
export const calendarKinds = ["24x7", "business_hours"] as const;
export type CalendarKind = (typeof calendarKinds)[number];

/** The calendar a `24x7` / `business_hours` target runs on; a client without business hours is covered around the clock. */
export function resolveCalendar(kind: CalendarKind, clientCalendar: unknown): BusinessCalendar {
  if (kind === "24x7" || clientCalendar === null || clientCalendar === undefined) return ALWAYS_OPEN;
  return businessCalendarSchema.parse(clientCalendar);
}
