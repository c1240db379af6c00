import { schema } from "@parley/db";
import type { Priority } from "../protocols/protocol-document";
import { computeClockDeadlines, DEFAULT_AT_RISK_RATIO } from "./advance-clock";
import { type CalendarVersion, type ClockTerms, clockCalendarOf } from "./clock-terms";

export interface ClockItem {
  id: string;
  priority: Priority;
  receivedAt: Date;
}

/**
 * The clocks that items of one priority arriving at one instant start, one per metric, as `sla_clocks` columns
 * (snake_case, ready for `jsonb_populate_recordset`) without the item's own: a delivery's items share their arrival,
 * so ingest sends these few rows and PostgreSQL joins them to the items it creates (by priority).
 */
export interface ClockTermRow extends Record<string, unknown> {
  priority: Priority;
  metric: string;
  target_minutes: number;
  calendar_kind: string;
  calendar_version_id: string | null;
  contract_id: string | null;
  at_risk_ratio: string;
  started_at: string;
  due_at: string;
  at_risk_at: string;
}

/**
 * The clocks items of `priorities` arriving at `receivedAt` start under `terms` (the contract in force at their
 * arrival, or the agency's default policy: `clockTermsAt`): one per metric the terms set for the priority, each on
 * its calendar (24x7, or the business-hours version in force at arrival). Pure: the caller has read the terms and
 * the calendar version. Each item's SLA watch is armed at the earliest `at_risk_at` of its clocks (`claimDue`).
 */
export function planClockTerms({
  terms,
  calendarVersion,
  priorities,
  receivedAt,
}: {
  terms: ClockTerms;
  calendarVersion: CalendarVersion | null;
  priorities: Iterable<Priority>;
  receivedAt: Date;
}): ClockTermRow[] {
  const wanted = new Set(priorities);
  return terms.targets
    .filter((target) => wanted.has(target.priority))
    .map((target) => {
      // The calendar is not copied onto the clock: its version (immutable) says which it is (`clockCalendar`).
      const { calendar, versionId } = clockCalendarOf(target.calendar, calendarVersion);
      const { dueAt, atRiskAt } = computeClockDeadlines({
        startedAt: receivedAt,
        targetMinutes: target.minutes,
        calendar,
      });
      return {
        // The priority whose target this clock runs on: a later reclassification of the item leaves it as it is.
        priority: target.priority,
        metric: target.metric,
        target_minutes: target.minutes,
        calendar_kind: target.calendar,
        calendar_version_id: versionId,
        contract_id: terms.contractId,
        at_risk_ratio: String(DEFAULT_AT_RISK_RATIO),
        started_at: receivedAt.toISOString(),
        due_at: dueAt.toISOString(),
        at_risk_at: atRiskAt.toISOString(),
      };
    });
}

/** The clock rows of one item (snake_case, as `sla_clocks` stores them), for tools that write items one by one. */
export function planItemClocks({
  agencyId,
  clientId,
  terms,
  calendarVersion,
  item,
}: {
  agencyId: string;
  clientId: string;
  terms: ClockTerms;
  calendarVersion: CalendarVersion | null;
  item: ClockItem;
}): Array<ClockTermRow & { id: string; agency_id: string; client_id: string; item_id: string }> {
  return planClockTerms({ terms, calendarVersion, priorities: [item.priority], receivedAt: item.receivedAt }).map(
    (row) => ({ ...row, id: schema.uuidv7(), agency_id: agencyId, client_id: clientId, item_id: item.id }),
  );
}
