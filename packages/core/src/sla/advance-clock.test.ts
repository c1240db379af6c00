import { describe, expect, it } from "vitest";
import type { Wakeup } from "../kernel/wakeup";
import {
  advanceClock,
  applyClockActions,
  type ClockAction,
  type ClockPause,
  computeClockDeadlines,
  type SlaClock,
} from "./advance-clock";
import { londonBusinessHours as businessHours } from "./london-business-hours.fixture";

const at = (iso: string) => new Date(iso);
// Monday 23 November 2026, 09:00 in London (GMT).
const MONDAY_9AM = at("2026-11-23T09:00:00Z");

function makeClock(overrides: Partial<SlaClock> = {}): SlaClock {
  const pauses = overrides.pauses ?? [];
  return {
    metric: "first_response",
    startedAt: MONDAY_9AM,
    ...computeClockDeadlines({ startedAt: MONDAY_9AM, targetMinutes: 60, calendar: businessHours, pauses }),
    stoppedAt: null,
    pauses,
    atRiskRecordedAt: null,
    breachedRecordedAt: null,
    ...overrides,
  };
}

describe("computeClockDeadlines", () => {
  it.each<{ name: string; pauses: ClockPause[]; targetMinutes: number; dueAt: string; atRiskAt: string }>([
    {
      name: "no pause",
      pauses: [],
      targetMinutes: 60,
      dueAt: "2026-11-23T10:00:00Z",
      atRiskAt: "2026-11-23T09:48:00Z",
    },
    {
      name: "a 30-minute pause shifts both",
      pauses: [{ startedAt: at("2026-11-23T09:10:00Z"), endedAt: at("2026-11-23T09:40:00Z") }],
      targetMinutes: 60,
      dueAt: "2026-11-23T10:30:00Z",
      atRiskAt: "2026-11-23T10:18:00Z",
    },
    {
      name: "a pause after the at-risk point shifts only the due time",
      pauses: [{ startedAt: at("2026-11-23T09:50:00Z"), endedAt: at("2026-11-23T10:05:00Z") }],
      targetMinutes: 60,
      dueAt: "2026-11-23T10:15:00Z",
      atRiskAt: "2026-11-23T09:48:00Z",
    },
    {
      name: "an open pause is left to the resume",
      pauses: [{ startedAt: at("2026-11-23T09:10:00Z"), endedAt: null }],
      targetMinutes: 60,
      dueAt: "2026-11-23T10:00:00Z",
      atRiskAt: "2026-11-23T09:48:00Z",
    },
    {
      name: "business time carries over the night",
      pauses: [],
      targetMinutes: 600,
      dueAt: "2026-11-24T10:30:00Z",
      atRiskAt: "2026-11-23T17:00:00Z",
    },
  ])("$name", ({ pauses, targetMinutes, dueAt, atRiskAt }) => {
    expect(computeClockDeadlines({ startedAt: MONDAY_9AM, targetMinutes, calendar: businessHours, pauses })).toEqual({
      dueAt: at(dueAt),
      atRiskAt: at(atRiskAt),
    });
  });

  it("takes another at-risk ratio", () => {
    const { atRiskAt } = computeClockDeadlines({
      startedAt: MONDAY_9AM,
      targetMinutes: 60,
      calendar: businessHours,
      atRiskRatio: 0.5,
    });
    expect(atRiskAt).toEqual(at("2026-11-23T09:30:00Z"));
  });
});

describe("advanceClock", () => {
  const due = at("2026-11-23T10:00:00Z");
  const atRisk = at("2026-11-23T09:48:00Z");
  const atRiskAction: ClockAction = { type: "mark_at_risk", metric: "first_response", atRiskAt: atRisk, dueAt: due };
  const breachAction: ClockAction = { type: "mark_breached", metric: "first_response", dueAt: due };

  it.each<{ name: string; clock: Partial<SlaClock>; now: string; actions: ClockAction[]; next: Wakeup }>([
    { name: "before at-risk", clock: {}, now: "2026-11-23T09:10:00Z", actions: [], next: { kind: "at", at: atRisk } },
    {
      name: "at 80 %",
      clock: {},
      now: "2026-11-23T09:48:00Z",
      actions: [atRiskAction],
      next: { kind: "at", at: due },
    },
    {
      name: "at-risk already recorded",
      clock: { atRiskRecordedAt: atRisk },
      now: "2026-11-23T09:55:00Z",
      actions: [],
      next: { kind: "at", at: due },
    },
    {
      name: "at due",
      clock: { atRiskRecordedAt: atRisk },
      now: "2026-11-23T10:00:00Z",
      actions: [breachAction],
      next: { kind: "done" },
    },
    {
      name: "woken late, past both: only the breach",
      clock: {},
      now: "2026-11-23T16:00:00Z",
      actions: [breachAction],
      next: { kind: "done" },
    },
    {
      name: "breach already recorded",
      clock: { atRiskRecordedAt: atRisk, breachedRecordedAt: due },
      now: "2026-11-23T16:00:00Z",
      actions: [],
      next: { kind: "done" },
    },
    {
      name: "stopped in time",
      clock: { stoppedAt: at("2026-11-23T09:30:00Z") },
      now: "2026-11-23T16:00:00Z",
      actions: [],
      next: { kind: "done" },
    },
    {
      name: "stopped late while the watcher was down",
      clock: { stoppedAt: at("2026-11-23T10:20:00Z") },
      now: "2026-11-23T16:00:00Z",
      actions: [breachAction],
      next: { kind: "done" },
    },
    {
      name: "paused",
      clock: { pauses: [{ startedAt: at("2026-11-23T09:20:00Z"), endedAt: null }] },
      now: "2026-11-23T10:30:00Z",
      actions: [],
      next: { kind: "event", event: "sla/clock.resumed", timeoutAt: at("2026-11-24T10:30:00Z") },
    },
  ])("$name", ({ clock, now, actions, next }) => {
    const decision = advanceClock(makeClock(clock), at(now));
    expect(decision).toEqual({ actions, next });
  });

  it("records at-risk and breach once each across repeated wake-ups", () => {
    let clock = makeClock();
    const recorded: ClockAction[] = [];
    // Every 4 minutes from 09:00 to 11:00, each wake-up replayed twice.
    for (let minute = 0; minute <= 120; minute += 4) {
      const now = new Date(MONDAY_9AM.getTime() + minute * 60_000);
      for (let replay = 0; replay < 2; replay++) {
        const { actions } = advanceClock(clock, now);
        recorded.push(...actions);
        clock = applyClockActions(clock, actions, now);
      }
    }
    expect(recorded).toEqual([atRiskAction, breachAction]);
    expect(clock.atRiskRecordedAt).toEqual(at("2026-11-23T09:48:00Z"));
    expect(clock.breachedRecordedAt).toEqual(at("2026-11-23T10:00:00Z"));
  });

  it("a pause that ended moves the breach later once the deadlines are recomputed", () => {
    const pauses = [{ startedAt: at("2026-11-23T09:10:00Z"), endedAt: at("2026-11-23T09:40:00Z") }];
    const clock = makeClock({ pauses });
    expect(advanceClock(clock, at("2026-11-23T10:05:00Z"))).toEqual({
      actions: [],
      next: { kind: "at", at: at("2026-11-23T10:18:00Z") },
    });
    expect(advanceClock(clock, at("2026-11-23T10:30:00Z")).actions.map((action) => action.type)).toEqual([
      "mark_breached",
    ]);
  });
});
