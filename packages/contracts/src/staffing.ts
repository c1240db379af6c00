/**
 * Staffing inputs: planned events, the roster and the agency's staffing settings. Local dates and times are read
 * in the agency's time zone (where its moderators work), except a planned event's, which are the agency's too so
 * that one heatmap shows them where they land.
 */
import { z } from "zod";
import { localDate } from "./billing/contract-terms";
import { uuid } from "./domain";

/** Monday first: a roster week as people read it. */
export const rosterWeekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type RosterWeekday = (typeof rosterWeekdays)[number];
export const rosterExceptionKinds = ["absence", "extra"] as const;
export type RosterExceptionKind = (typeof rosterExceptionKinds)[number];

/** The agency's staffing settings when it has saved none. */
export const defaultStaffingSettings = {
  /** Moderators are planned to be busy at most this share of their time. */
  maxOccupancyPercent: 85,
  /** Share of rostered time not spent on the queue (breaks, meetings, training): the practitioners' +30 %. */
  shrinkagePercent: 30,
  /** Handling time used for a client and category until enough real work has been measured. */
  fallbackAhtSeconds: 240,
  /** Handling time of an item in triage-only mode: acknowledge and escalate. */
  triageAhtSeconds: 60,
} as const;

const clockTimeMessage = "must be a time HH:MM (00:00–24:00)";
/** Local "HH:MM"; "24:00" is the end of the day. */
export const clockTime = z
  .string({ message: clockTimeMessage })
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: clockTimeMessage });

const wholeNumber = (min: number, max: number, unit: string) =>
  z
    .int({ message: `must be a whole number of ${unit}` })
    .min(min, { message: `must be between ${min} and ${max} ${unit}` })
    .max(max, { message: `must be between ${min} and ${max} ${unit}` });

/** A Monday ("YYYY-MM-DD"): the week shown. Absent: the current week in the agency's zone. */
export const staffingWeekInput = z
  .object({
    weekStart: localDate
      .refine((value) => new Date(`${value}T00:00:00Z`).getUTCDay() === 1, { message: "must be a Monday" })
      .optional(),
  })
  .default({});
export type StaffingWeekInput = z.infer<typeof staffingWeekInput>;

export const plannedEventInput = z.object({
  clientId: uuid,
  name: z
    .string({ message: "must be text" })
    .trim()
    .min(1, { message: "is required" })
    .max(120, { message: "must be at most 120 characters" }),
  /** The local date and time the event starts, in the agency's zone. */
  date: localDate,
  startTime: clockTime.refine((value) => value !== "24:00", { message: "must be a time of day before 24:00" }),
  /** From 15 minutes to 14 days. */
  durationMinutes: wholeNumber(15, 14 * 24 * 60, "minutes"),
  /** Expected arrivals relative to a normal week, e.g. 5 for five times as many. */
  multiplier: z
    .number({ message: "must be a number" })
    .min(0, { message: "must be between 0 and 100" })
    .max(100, { message: "must be between 0 and 100" })
    .refine((value) => Math.round(value * 100) / 100 === value, { message: "must have at most 2 decimals" }),
});
export type PlannedEventInput = z.infer<typeof plannedEventInput>;

export const plannedEventIdInput = z.object({ eventId: uuid });

export const rosterShiftInput = z.object({
  membershipId: uuid,
  weekday: z.enum(rosterWeekdays, { message: `must be one of ${rosterWeekdays.join(", ")}` }),
  startTime: clockTime.refine((value) => value !== "24:00", { message: "must be a time of day before 24:00" }),
  /** At or before the start: the shift runs past midnight. */
  endTime: clockTime,
  /** The first date the shift applies (default: today in the agency's zone). */
  startsOn: localDate.optional(),
});
export type RosterShiftInput = z.infer<typeof rosterShiftInput>;

export const rosterShiftIdInput = z.object({ shiftId: uuid });

export const rosterExceptionInput = z.object({
  membershipId: uuid,
  kind: z.enum(rosterExceptionKinds, { message: `must be one of ${rosterExceptionKinds.join(", ")}` }),
  startDate: localDate,
  startTime: clockTime,
  endDate: localDate,
  endTime: clockTime,
  note: z.string({ message: "must be text" }).trim().max(200, { message: "must be at most 200 characters" }).optional(),
});
export type RosterExceptionInput = z.infer<typeof rosterExceptionInput>;

export const rosterExceptionIdInput = z.object({ exceptionId: uuid });

export const staffingSettingsInput = z.object({
  maxOccupancyPercent: wholeNumber(50, 100, "percent"),
  shrinkagePercent: wholeNumber(0, 80, "percent"),
  fallbackAhtSeconds: wholeNumber(10, 7200, "seconds"),
  triageAhtSeconds: wholeNumber(10, 3600, "seconds"),
});
export type StaffingSettingsInput = z.infer<typeof staffingSettingsInput>;
