import { type BusinessCalendar, parseLocalDate, type Span, weekdays } from "./business-calendar";

/** One local day of a calendar, as its spans say (an overnight span belongs to the day it starts on). */
export interface BusinessHoursDay {
  date: string;
  weekday: string;
  spans: Span[];
  /** Why the day differs from its weekday's spans. */
  note: "holiday" | "override" | null;
}

const wholeDay: Span[] = [["00:00", "24:00"]];

/** `days` local days from `fromDate` ("YYYY-MM-DD") under `calendar` (null: around the clock). Pure. */
export function previewBusinessHours(
  calendar: BusinessCalendar | null,
  fromDate: string,
  days: number,
): BusinessHoursDay[] {
  const first = parseLocalDate(fromDate);
  const preview: BusinessHoursDay[] = [];
  for (let offset = 0; offset < days; offset += 1) {
    const day = first + offset;
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    const weekday = weekdays[new Date(day * 86_400_000).getUTCDay()]!;
    if (!calendar) {
      preview.push({ date, weekday, spans: wholeDay, note: null });
      continue;
    }
    const override = calendar.overrides?.[date];
    if (override) preview.push({ date, weekday, spans: override, note: "override" });
    else if (calendar.holidays?.includes(date)) preview.push({ date, weekday, spans: [], note: "holiday" });
    else preview.push({ date, weekday, spans: calendar.weekly[weekday] ?? [], note: null });
  }
  return preview;
}
