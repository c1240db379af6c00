/**
 * An instant as the client reads it: its wall time in the client's IANA zone, with the zone named, so nobody has to
 * guess whose 09:00 it is. The one formatter for SLA times shown to people (board, item view, hand-over packet,
 * breach drill-down); spreadsheets get "YYYY-MM-DD HH:mm:ss" with the zone in the column header instead.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withDate}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      ...(withDate ? { day: "numeric", month: "short", year: "numeric" } : {}),
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(key, format);
  }
  return format;
}

/**
 * "Mon 09:00 Europe/Berlin" (`date: false`, for an instant within the coming week, such as the next opening) or
 * "Mon 3 Nov 2025 09:00 Europe/Berlin" (default). An invalid instant is "—".
 */
export function formatZonedTime(value: Date | string, timeZone: string, options: { date?: boolean } = {}): string {
  const at = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(at.getTime())) return "—";
  const parts = formatterOf(timeZone, options.date ?? true).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? "";
  const date = options.date === false ? "" : ` ${part("day")} ${part("month")} ${part("year")}`;
  return `${part("weekday")}${date} ${part("hour")}:${part("minute")} ${timeZone}`;
}
