import { DONE, type Wakeup } from "../kernel/wakeup";
import type { BusinessCalendar } from "./business-calendar";
import { addBusinessMinutes } from "./business-time";

/**
 * The SLA watcher's decision (docs/ARCHITECTURE.md §3 SLA clock: at risk at 80 % of the target, then
 * breached), in the same shape as `advanceTriage`: persisted clock + now → actions, each
 * recorded once, and the next wake-up. Pure: no I/O, no clock reads.
 *
 * `dueAt` and `atRiskAt` are persisted on the clock and recomputed with `computeClockDeadlines`
 * whenever a pause ends; while a pause is open the clock is frozen and nothing is recorded.
 */

export type ClockMetric = "first_response" | "resolution";

export interface ClockPause {
  startedAt: Date;
  /** null while the clock is paused. */
  endedAt: Date | null;
}

export interface SlaClock {
  metric: ClockMetric;
  startedAt: Date;
  dueAt: Date;
  atRiskAt: Date;
  stoppedAt: Date | null;
  pauses: readonly ClockPause[];
  atRiskRecordedAt: Date | null;
  breachedRecordedAt: Date | null;
}

export type ClockAction =
  | { type: "mark_at_risk"; metric: ClockMetric; atRiskAt: Date; dueAt: Date }
  | { type: "mark_breached"; metric: ClockMetric; dueAt: Date };

export interface ClockDecision {
  actions: ClockAction[];
  next: Wakeup;
}

export const DEFAULT_AT_RISK_RATIO = 0.8;
/** How long a paused clock waits for `sla/clock.resumed` before looking again (safety net). */
export const PAUSED_CLOCK_RECHECK_MINUTES = 24 * 60;

/**
 * Due and at-risk instants of a clock: `targetMinutes` (and `atRiskRatio` of them) of business
 * time in `calendar` from `startedAt`, not counting closed pauses. An open pause is ignored here:
 * the clock does not act while paused, and ending the pause recomputes the deadlines.
 */
export function computeClockDeadlines({
  startedAt,
  targetMinutes,
  calendar,
  atRiskRatio = DEFAULT_AT_RISK_RATIO,
  pauses = [],
}: {
  startedAt: Date;
  targetMinutes: number;
  calendar: BusinessCalendar;
  atRiskRatio?: number;
  pauses?: readonly ClockPause[];
}): { dueAt: Date; atRiskAt: Date } {
  const closed: Array<[Date, Date]> = [];
  for (const pause of pauses) if (pause.endedAt) closed.push([pause.startedAt, pause.endedAt]);
  const options = { pauses: closed };
  return {
    dueAt: addBusinessMinutes(startedAt, targetMinutes, calendar, options),
    atRiskAt: addBusinessMinutes(startedAt, targetMinutes * atRiskRatio, calendar, options),
  };
}

export function isClockPaused(clock: SlaClock, now: Date): boolean {
  return clock.pauses.some((pause) => pause.endedAt === null && pause.startedAt <= now);
}

export function advanceClock(clock: SlaClock, now: Date): ClockDecision {
  const actions: ClockAction[] = [];
  const breach: ClockAction = { type: "mark_breached", metric: clock.metric, dueAt: clock.dueAt };

  if (clock.stoppedAt) {
    // Stopped late but the breach was never recorded (the watcher was down): record it now.
    if (clock.stoppedAt >= clock.dueAt && !clock.breachedRecordedAt) actions.push(breach);
    return { actions, next: DONE };
  }
  if (clock.breachedRecordedAt) return { actions, next: DONE };
  if (isClockPaused(clock, now)) {
    return {
      actions,
      next: {
        kind: "event",
        event: "sla/clock.resumed",
        timeoutAt: new Date(now.getTime() + PAUSED_CLOCK_RECHECK_MINUTES * 60_000),
      },
    };
  }
  if (now >= clock.dueAt) {
    // Already late: a warning now would only be noise, so only the breach is recorded.
    actions.push(breach);
    return { actions, next: DONE };
  }
  if (now >= clock.atRiskAt && !clock.atRiskRecordedAt) {
    actions.push({ type: "mark_at_risk", metric: clock.metric, atRiskAt: clock.atRiskAt, dueAt: clock.dueAt });
  }
  const atRiskPending = !clock.atRiskRecordedAt && actions.length === 0;
  return { actions, next: { kind: "at", at: atRiskPending ? clock.atRiskAt : clock.dueAt } };
}

/** The clock after `actions` were recorded at `now`; recording twice keeps the first time. */
export function applyClockActions(clock: SlaClock, actions: readonly ClockAction[], now: Date): SlaClock {
  let next = clock;
  for (const action of actions) {
    if (action.metric !== clock.metric) continue;
    if (action.type === "mark_at_risk" && !next.atRiskRecordedAt) next = { ...next, atRiskRecordedAt: now };
    if (action.type === "mark_breached" && !next.breachedRecordedAt) next = { ...next, breachedRecordedAt: now };
  }
  return next;
}
