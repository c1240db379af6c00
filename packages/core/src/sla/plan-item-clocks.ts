import { schema } from "@parley/db";
import type { WakeupTarget } from "../kernel/schedule-wakeups";
import type { Priority } from "../protocols/protocol-document";
import { computeClockDeadlines, DEFAULT_AT_RISK_RATIO } from "./advance-clock";
import type { BusinessCalendar } from "./business-calendar";
import { type CalendarKind, resolveCalendar } from "./business-calendar";

export interface ClockTarget {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  calendar: CalendarKind;
}

/** The client default targets per priority, until contracts carry their own. */
export const defaultClockTargets: Readonly<Record<Priority, ClockTarget>> = {
  P1: { firstResponseMinutes: 15, resolutionMinutes: 240, calendar: "24x7" },
  P2: { firstResponseMinutes: 60, resolutionMinutes: 480, calendar: "business_hours" },
  P3: { firstResponseMinutes: 240, resolutionMinutes: 1440, calendar: "business_hours" },
  P4: { firstResponseMinutes: 480, resolutionMinutes: 2880, calendar: "business_hours" },
};

export interface ClockItem {
  id: string;
  priority: Priority;
  receivedAt: Date;
}

/** The clock rows (snake_case, ready for `jsonb_populate_recordset`) and the SLA watch wake-up of new items. */
export interface PlannedItemClocks {
  clocks: Array<Record<string, unknown>>;
  wakeups: Array<WakeupTarget & { dueAt: Date }>;
}

/**
 * The `first_response` and `resolution` clocks of new items from the client's default targets, and the SLA
 * watch of each (due at the first at-risk instant). Pure: the caller has read the client's business calendar.
 */
export function planItemClocks({
  agencyId,
  clientId,
  clientCalendar,
  items,
}: {
  agencyId: string;
  clientId: string;
  /** `clients.business_calendar` (null: covered around the clock). */
  clientCalendar: unknown;
  items: readonly ClockItem[];
}): PlannedItemClocks {
  const calendars: Record<CalendarKind, BusinessCalendar> = {
    "24x7": resolveCalendar("24x7", clientCalendar),
    business_hours: resolveCalendar("business_hours", clientCalendar),
  };
  // A delivery's items share their arrival time and a handful of priorities: compute each deadline once.
  const deadlines = new Map<string, { dueAt: Date; atRiskAt: Date }>();
  const deadlinesOf = (startedAt: Date, targetMinutes: number, kind: CalendarKind) => {
    const key = `${startedAt.getTime()}:${targetMinutes}:${kind}`;
    let found = deadlines.get(key);
    if (!found) {
      found = computeClockDeadlines({ startedAt, targetMinutes, calendar: calendars[kind] });
      deadlines.set(key, found);
    }
    return found;
  };
  const clocks: PlannedItemClocks["clocks"] = [];
  const wakeups: PlannedItemClocks["wakeups"] = [];
  for (const item of items) {
    const target = defaultClockTargets[item.priority];
    let firstAtRisk: Date | null = null;
    for (const [metric, targetMinutes] of [
      ["first_response", target.firstResponseMinutes],
      ["resolution", target.resolutionMinutes],
    ] as const) {
      const { dueAt, atRiskAt } = deadlinesOf(item.receivedAt, targetMinutes, target.calendar);
      if (!firstAtRisk || atRiskAt < firstAtRisk) firstAtRisk = atRiskAt;
      clocks.push({
        id: schema.uuidv7(),
        agency_id: agencyId,
        client_id: clientId,
        item_id: item.id,
        metric,
        // The priority whose target this clock runs on: a later reclassification of the item leaves it as it is.
        priority: item.priority,
        target_minutes: targetMinutes,
        calendar: calendars[target.calendar],
        at_risk_ratio: String(DEFAULT_AT_RISK_RATIO),
        started_at: item.receivedAt.toISOString(),
        due_at: dueAt.toISOString(),
        at_risk_at: atRiskAt.toISOString(),
      });
    }
    wakeups.push({ flow: "sla-watch", agencyId, clientId, itemId: item.id, dueAt: firstAtRisk ?? item.receivedAt });
  }
  return { clocks, wakeups };
}
