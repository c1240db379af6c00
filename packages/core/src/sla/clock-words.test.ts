import type { ClockTarget } from "@parley/contracts/billing";
import { describe, expect, it } from "vitest";
import { clockSourceOf, closedHoursOf, targetsLeftOut } from "./clock-words";

const cobalt: ClockTarget[] = [
  { priority: "P1", metric: "first_response", minutes: 10, calendar: "24x7" },
  { priority: "P2", metric: "first_response", minutes: 30, calendar: "24x7" },
  { priority: "P1", metric: "resolution", minutes: 240, calendar: "24x7" },
];

describe("clock words", () => {
  it("names the source: the client's contract, or the agency default", () => {
    expect(clockSourceOf({ contractId: "c1", clientName: "Cobalt Bank" })).toBe("Cobalt Bank's contract");
    expect(clockSourceOf({ contractId: null, clientName: "Cobalt Bank" })).toBe("agency default (no contract)");
  });

  it.each([
    { priority: "P1", left: [] },
    { priority: "P2", left: ["No resolution target for P2 in Cobalt Bank's contract"] },
    {
      priority: "P3",
      left: [
        "No first-response target for P3 in Cobalt Bank's contract",
        "No resolution target for P3 in Cobalt Bank's contract",
      ],
    },
  ] as const)("says which targets the contract leaves out for $priority", ({ priority, left }) => {
    expect(targetsLeftOut({ priority, targets: cobalt, source: "Cobalt Bank's contract" })).toEqual(left);
  });

  it("never says a metric the source does not use is left out, except first response; nor one with a clock", () => {
    const firstOnly = cobalt.filter((target) => target.metric === "first_response");
    expect(targetsLeftOut({ priority: "P2", targets: firstOnly, source: "X" })).toEqual([]);
    expect(targetsLeftOut({ priority: "P4", targets: [], source: "X" })).toEqual([
      "No first-response target for P4 in X",
    ]);
    expect(targetsLeftOut({ priority: "P3", targets: firstOnly, source: "X", clocked: ["first_response"] })).toEqual(
      [],
    );
  });

  it("says when a closed calendar opens, in its zone, named; nothing while open", () => {
    const berlin = {
      timeZone: "Europe/Berlin",
      weekly: { mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]] },
      holidays: ["2026-11-23"],
    } as never;
    // Saturday 21 November 2026, 12:00 in Berlin; Monday the 23rd is a holiday: opens Tuesday.
    expect(closedHoursOf(berlin, "Cobalt Bank", new Date("2026-11-21T11:00:00Z"))?.note).toBe(
      "paused — outside Cobalt Bank's hours, opens Tue 09:00 Europe/Berlin",
    );
    expect(closedHoursOf(berlin, "Cobalt Bank", new Date("2026-11-24T09:00:00Z"))).toBeNull();
  });
});
