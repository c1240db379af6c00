import { describe, expect, it } from "vitest";
import { HOUR_MS } from "./forecast";
import { onShiftHours, type RosterShiftRule } from "./roster";

/** Monday 2026-03-23 00:00 in London (GMT); summer time starts on Sunday the 29th at 01:00 UTC. */
const monday = Date.parse("2026-03-23T00:00:00Z");
const zone = "Europe/London";
const shift = (
  membershipId: string,
  weekday: number,
  start: string,
  end: string,
  extra: Partial<RosterShiftRule> = {},
) => ({
  membershipId,
  weekday,
  startMinute: Number(start.slice(0, 2)) * 60 + Number(start.slice(3)),
  endMinute: Number(end.slice(0, 2)) * 60 + Number(end.slice(3)),
  startsOn: "2026-01-01",
  endsOn: null,
  ...extra,
});
const week = (shifts: RosterShiftRule[], exceptions: Parameters<typeof onShiftHours>[0]["exceptions"] = []) =>
  onShiftHours({ shifts, exceptions, timeZone: zone, from: monday, hours: 168 });
const onDuty = (hours: number[] | undefined) =>
  (hours ?? []).flatMap((share, index) => (share > 0 ? [[index, share] as const] : []));

describe("onShiftHours", () => {
  it("puts a weekly shift on its weekday's local hours, and half an hour as 0.5", () => {
    const hours = week([shift("mia", 0, "08:00", "16:00"), shift("mia", 4, "12:30", "14:00")]).get("mia");
    expect(onDuty(hours)).toEqual([
      ...[8, 9, 10, 11, 12, 13, 14, 15].map((hour) => [hour, 1] as const),
      [4 * 24 + 12, 0.5],
      [4 * 24 + 13, 1],
    ]);
  });

  it("runs an overnight shift into the next day, including one that started the Sunday before", () => {
    const hours = week([shift("noah", 6, "22:00", "06:00")]).get("noah");
    // Last Sunday's night runs into this Monday's first six hours; this Sunday's (22:00 BST = 21:00 UTC, summer
    // time having begun that morning) runs past the week's end.
    expect(onDuty(hours).map(([index]) => index)).toEqual([0, 1, 2, 3, 4, 5, 6 * 24 + 21, 6 * 24 + 22, 6 * 24 + 23]);
  });

  it("follows local time across the change to summer time", () => {
    // Sunday 29 March: 09:00–17:00 BST is 08:00–16:00 UTC, an hour earlier in UTC than on the Saturday.
    const hours = week([shift("sara", 5, "09:00", "17:00"), shift("sara", 6, "09:00", "17:00")]).get("sara");
    const utcHours = onDuty(hours).map(([index]) => new Date(monday + index * HOUR_MS).toISOString().slice(8, 13));
    expect(utcHours).toEqual([
      ...["09", "10", "11", "12", "13", "14", "15", "16"].map((hour) => `28T${hour}`),
      ...["08", "09", "10", "11", "12", "13", "14", "15"].map((hour) => `29T${hour}`),
    ]);
  });

  it("takes absences off and adds extra shifts, and applies a shift only within its dates", () => {
    const hours = week(
      [shift("leo", 0, "08:00", "16:00"), shift("leo", 1, "08:00", "16:00", { endsOn: "2026-03-24" })],
      [
        {
          membershipId: "leo",
          kind: "absence",
          startsAt: new Date(monday + 10 * HOUR_MS),
          endsAt: new Date(monday + 12 * HOUR_MS),
        },
        {
          membershipId: "leo",
          kind: "extra",
          startsAt: new Date(monday + (4 * 24 + 18) * HOUR_MS),
          endsAt: new Date(monday + (4 * 24 + 20) * HOUR_MS),
        },
      ],
    ).get("leo");
    expect(onDuty(hours).map(([index]) => index)).toEqual([8, 9, 12, 13, 14, 15, 4 * 24 + 18, 4 * 24 + 19]);
  });

  it("leaves out a moderator with nothing on shift in the window", () => {
    const rostered = week([shift("mia", 2, "08:00", "16:00", { startsOn: "2026-04-01" })]);
    expect(rostered.has("mia")).toBe(false);
  });
});
