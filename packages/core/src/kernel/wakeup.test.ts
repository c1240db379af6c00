import { describe, expect, it } from "vitest";
import { combineWakeups, parseWakeup, serializeWakeup, type Wakeup } from "./wakeup";

const at = (iso: string) => new Date(iso);

describe("combineWakeups", () => {
  it.each<{ name: string; wakeups: Wakeup[]; expected: Wakeup }>([
    { name: "nothing", wakeups: [], expected: { kind: "done" } },
    { name: "all done", wakeups: [{ kind: "done" }, { kind: "done" }], expected: { kind: "done" } },
    {
      name: "earliest time",
      wakeups: [
        { kind: "at", at: at("2026-11-23T10:00:00Z") },
        { kind: "done" },
        { kind: "at", at: at("2026-11-23T09:48:00Z") },
      ],
      expected: { kind: "at", at: at("2026-11-23T09:48:00Z") },
    },
    {
      name: "an event wait with an earlier time",
      wakeups: [
        { kind: "event", event: "sla/clock.resumed", timeoutAt: at("2026-11-24T10:00:00Z") },
        { kind: "at", at: at("2026-11-23T09:48:00Z") },
      ],
      expected: { kind: "event", event: "sla/clock.resumed", timeoutAt: at("2026-11-23T09:48:00Z") },
    },
  ])("$name", ({ wakeups, expected }) => {
    expect(combineWakeups(wakeups)).toEqual(expected);
  });
});

describe("serializeWakeup", () => {
  it.each<Wakeup>([
    { kind: "done" },
    { kind: "at", at: at("2026-11-23T09:48:00Z") },
    { kind: "event", event: "escalations/escalation.resolved", timeoutAt: at("2026-11-23T11:00:00Z") },
  ])("round-trips $kind through JSON", (wakeup) => {
    expect(parseWakeup(JSON.parse(JSON.stringify(serializeWakeup(wakeup))))).toEqual(wakeup);
  });
});
