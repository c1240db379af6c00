import type { BusinessCalendar, Span } from "./business-calendar";

const weekday: Span[] = [["09:00", "17:30"]];

/** 09:00 to 17:30 in London, Monday to Friday: the SLA and escalation tests' business hours. */
export const londonBusinessHours: BusinessCalendar = {
  timeZone: "Europe/London",
  weekly: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
};
