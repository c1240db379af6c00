import { schema } from "@parley/db";
import type { WakeupTarget } from "../kernel/schedule-wakeups";
import type { Priority } from "../protocols/protocol-document";
import { computeClockDeadlines, DEFAULT_AT_RISK_RATIO } from "./advance-clock";
import { type CalendarVersion, type ClockTerms, clockCalendarOf } from "./clock-terms";

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
 * The clocks of new items from `terms` (the contract in force at their arrival, or the agency's default policy:
 * `clockTermsAt`), one per metric the terms set for the item's priority, each on its calendar (24x7, or the
 * business-hours version in force at arrival), and the SLA watch of each item that has a clock (due at its first
 * at-risk instant). Pure: the caller has read the terms and the calendar version.
 */
export function planItemClocks({
  agencyId,
  clientId,
  terms,
  calendarVersion,
  items,
}: {
  agencyId: string;
  clientId: string;
  terms: ClockTerms;
  calendarVersion: CalendarVersion | null;
  items: readonly ClockItem[];
}): PlannedItemClocks {
  // A delivery's items share their arrival time and a handful of priorities: compute each deadline once.
  const deadlines = new Map<string, { dueAt: Date; atRiskAt: Date }>();
  const clocks: PlannedItemClocks["clocks"] = [];
  const wakeups: PlannedItemClocks["wakeups"] = [];
  for (const item of items) {
    let firstAtRisk: Date | null = null;
    for (const target of terms.targets) {
      if (target.priority !== item.priority) continue;
      const { calendar, versionId } = clockCalendarOf(target.calendar, calendarVersion);
      const key = `${item.receivedAt.getTime()}:${target.minutes}:${target.calendar}`;
      let found = deadlines.get(key);
      if (!found) {
        found = computeClockDeadlines({ startedAt: item.receivedAt, targetMinutes: target.minutes, calendar });
        deadlines.set(key, found);
      }
      const { dueAt, atRiskAt } = found;
      if (!firstAtRisk || atRiskAt < firstAtRisk) firstAtRisk = atRiskAt;
      clocks.push({
        id: schema.uuidv7(),
        agency_id: agencyId,
        client_id: clientId,
        item_id: item.id,
        metric: target.metric,
        // The priority whose target this clock runs on: a later reclassification of the item leaves it as it is.
        priority: item.priority,
        target_minutes: target.minutes,
        calendar,
        calendar_kind: target.calendar,
        calendar_version_id: versionId,
        contract_id: terms.contractId,
        at_risk_ratio: String(DEFAULT_AT_RISK_RATIO),
        started_at: item.receivedAt.toISOString(),
        due_at: dueAt.toISOString(),
        at_risk_at: atRiskAt.toISOString(),
      });
    }
    if (firstAtRisk) wakeups.push({ flow: "sla-watch", agencyId, clientId, itemId: item.id, dueAt: firstAtRisk });
  }
  return { clocks, wakeups };
}
