/**
 * Local "YYYY-MM-DD HH:mm:ss" in an IANA zone, which spreadsheets read as a date-time: how CSV exports write
 * instants (the header or a column names the zone).
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
  return (value) => {
    const parts = Object.fromEntries(format.formatToParts(value).map((part) => [part.type, part.value]));
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  };
}
