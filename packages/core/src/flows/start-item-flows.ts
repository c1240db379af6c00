import { type PlaybookDocument, playbookMatches } from "../escalations/playbooks";
import { wakeupRowOf } from "../kernel/schedule-wakeups";
import type { CategoryAuthority, Priority } from "../protocols/protocol-document";
import type { CalendarVersion, ClockTerms } from "../sla/clock-terms";
import { planItemClocks } from "../sla/plan-item-clocks";

/** A new item as ingest files it: what its clocks and its triage decision depend on. */
export interface NewItemForFlows {
  id: string;
  priority: Priority;
  receivedAt: Date;
  authority: CategoryAuthority;
  categoryKey: string | null;
  riskFlags: readonly string[];
  body: string;
}

/** The rows that start new items' flows, snake_case and ready for `jsonb_populate_recordset`. */
export interface PlannedItemFlows {
  /** `sla_clocks` rows. */
  clocks: Array<Record<string, unknown>>;
  /** `workflow_wakeups` rows: the SLA watch of every item, and triage for those that need it. */
  wakeups: Array<Record<string, unknown>>;
}

/**
 * What every new item sets off (docs/ARCHITECTURE.md §3 Classify): its SLA clocks and their watch, and the triage flow
 * when the protocol gives moderators no authority for its category or a playbook trigger matches. Pure:
 * ingest stores the rows in the same statement as the items (and only for the items it actually created),
 * so the wake-ups, which are also what the Inngest relay forwards, commit with them.
 */
export function planItemFlows({
  agencyId,
  clientId,
  terms,
  calendarVersion,
  playbooks,
  items,
  now,
}: {
  agencyId: string;
  clientId: string;
  /** The clock targets in force at the items' arrival (`clockTermsAt`). */
  terms: ClockTerms;
  /** The client's business-hours version in force at their arrival. */
  calendarVersion: CalendarVersion | null;
  /** The client's active playbooks' documents, oldest first. */
  playbooks: readonly PlaybookDocument[];
  items: readonly NewItemForFlows[];
  now: Date;
}): PlannedItemFlows {
  if (items.length === 0) return { clocks: [], wakeups: [] };
  const { clocks, wakeups } = planItemClocks({ agencyId, clientId, terms, calendarVersion, items });
  const triaged = items.filter(
    (item) => item.authority === "triage" || playbooks.some((document) => playbookMatches(document, item)),
  );
  const wakeupRows = [
    ...wakeups,
    ...triaged.map((item) => ({ flow: "triage" as const, agencyId, clientId, itemId: item.id, dueAt: now })),
  ].map(wakeupRowOf);
  return { clocks, wakeups: wakeupRows };
}
