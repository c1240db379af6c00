import { describe, expect, it } from "vitest";
import { localTimeFormatter } from "./local-time";

/** What `Intl` itself writes for an instant: the formatter must agree with it to the second. */
function intlLocalTime(timeZone: string): (value: Date) => string {
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

describe("localTimeFormatter", () => {
  it("writes a London instant on either side of the clocks going forward and back", () => {
    const london = localTimeFormatter("Europe/London");
    expect(london(new Date("2026-03-29T00:59:59.999Z"))).toBe("2026-03-29 00:59:59");
    expect(london(new Date("2026-03-29T01:00:00Z"))).toBe("2026-03-29 02:00:00");
    expect(london(new Date("2026-10-25T00:59:59Z"))).toBe("2026-10-25 01:59:59");
    expect(london(new Date("2026-10-25T01:00:00Z"))).toBe("2026-10-25 01:00:00");
  });

  it.each([
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe", // half-hour summer time
    "Asia/Kathmandu", // +05:45
    "America/St_Johns", // -03:30 with summer time
    "Pacific/Chatham", // +12:45 / +13:45
    "UTC",
  ])("agrees with Intl every 37 minutes 13.5 seconds across 2025–2026 in %s", (timeZone) => {
    const format = localTimeFormatter(timeZone);
    const expected = intlLocalTime(timeZone);
    const from = Date.parse("2025-01-01T00:00:00Z");
    const to = Date.parse("2027-01-01T00:00:00Z");
    for (let at = from; at < to; at += 2_233_500) {
      const value = new Date(at);
      if (format(value) !== expected(value)) expect(format(value), value.toISOString()).toBe(expected(value));
    }
  });
});
