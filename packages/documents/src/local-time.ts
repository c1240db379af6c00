/**
 * Local "YYYY-MM-DD HH:mm:ss" in an IANA zone, which spreadsheets read as a date-time: how CSV exports write
 * instants (the header or a column names the zone).
 *
 * An export writes several instants per row over hundreds of thousands of rows, and `Intl`'s formatting costs
 * ~10 µs an instant: the zone's offset is asked of `Intl` once per quarter hour of UTC (no zone changes its offset
 * inside one) and the local time is worked out from it.
 */
export function localTimeFormatter(timeZone: string): (value: Date) => string {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const offsets = new Map<number, number>();
  const offsetAt = (quarter: number): number => {
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      const start = quarter * quarterHourMs;
      const parts = Object.fromEntries(format.formatToParts(start).map((part) => [part.type, Number(part.value)]));
      offset =
        Date.UTC(parts.year as number, (parts.month as number) - 1, parts.day, parts.hour, parts.minute, parts.second) -
        start;
      if (offsets.size >= maxCachedQuarters) offsets.clear();
      offsets.set(quarter, offset);
    }
    return offset;
  };
  return (value) => {
    const at = value.getTime();
    const local = new Date(at + offsetAt(Math.floor(at / quarterHourMs)));
    return `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())} ${two(
      local.getUTCHours(),
    )}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`;
  };
}

const quarterHourMs = 15 * 60_000;
/** A year of quarter hours: enough for any export, and a formatter kept for a process's life stays small. */
const maxCachedQuarters = 366 * 96;
const two = (value: number) => (value < 10 ? `0${value}` : String(value));
