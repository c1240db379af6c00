import { type PlaybookDocument, playbookMatches } from "../escalations/playbooks";
import { wakeupRowOf } from "../kernel/schedule-wakeups";
import type { CategoryAuthority, Priority } from "../protocols/protocol-document";
import type { CalendarVersion, ClockTerms } from "../sla/clock-terms";
import { type ClockTermRow, planClockTerms } from "../sla/plan-item-clocks";

/** A new item as ingest files it: what its clocks and its triage decision depend on. */
export interface NewItemForFlows {
  id: string;
  priority: Priority;
  authority: CategoryAuthority;
  categoryKey: string | null;
  riskFlags: readonly string[];
  body: string;
}

/** What new items start, snake_case and ready for `jsonb_populate_recordset` (`startItemFlowsSql` stores it). */
export interface PlannedItemFlows {
  /** The clocks an item of each priority starts (`planClockTerms`): joined to the items by priority in SQL. */
  clockTerms: ClockTermRow[];
  /** `workflow_wakeups` rows of the triage flow, for the items that need it (due at once). */
  triageWakeups: Array<Record<string, unknown>>;
}

/**
 * What every new item sets off (docs/ARCHITECTURE.md §3 Classify): its SLA clocks (watched from their at-risk
 * instant on, when the wake-up queue finds them due), and the triage flow when the protocol gives moderators no
 * authority for its category or a playbook trigger matches. Pure: the clocks are planned per priority (the items
 * arrive together), and ingest stores them with the items in the same statement, only for the items it actually
 * created (`startItemFlowsSql`), so the triage wake-ups, which are also what the Inngest relay forwards, commit
 * with them.
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
  if (items.length === 0) return { clockTerms: [], triageWakeups: [] };
  const clockTerms = planClockTerms({
    terms,
    calendarVersion,
    priorities: items.map((item) => item.priority),
    receivedAt: now,
  });
  const triaged = items.filter(
    (item) => item.authority === "triage" || playbooks.some((document) => playbookMatches(document, item)),
  );
  const triageWakeups = triaged.map((item) =>
    wakeupRowOf({ flow: "triage", agencyId, clientId, itemId: item.id, dueAt: now }),
  );
  return { clockTerms, triageWakeups };
}

const clockTermColumns = [
  "metric",
  "priority",
  "target_minutes",
  "calendar_kind",
  "calendar_version_id",
  "contract_id",
  "at_risk_ratio",
  "started_at",
  "due_at",
  "at_risk_at",
] as const satisfies ReadonlyArray<keyof ClockTermRow>;

/**
 * The CTEs that start the flows of the items in CTE `started` (columns `id`, `agency_id`, `client_id`,
 * `priority`), to append to a `with` list: their clocks (`sla_clocks`, from the clock terms in parameter
 * `$<terms>` joined by priority) and the triage wake-ups in parameter `$<triage>` of those items. A clock's watch
 * needs no wake-up before its at-risk instant: the wake-up queue arms it then (`claimDue`). A clock
 * or wake-up already there is kept (an existing wake-up keeps the earlier time). `created`: the statement itself
 * created the items in `started`, so nothing of theirs can be there yet and no conflict is looked for (an
 * `ON CONFLICT` clause costs each row a probe of the arbiter index and a speculative insertion). A clock's id is a
 * UUID v7 with its item's time (the item id's first 19 characters, then random bits and the variant of a
 * `gen_random_uuid()`): a delivery's clocks then share a few pages of the primary key, where fully random keys
 * would each land on a page of their own.
 */
export function startItemFlowsSql({
  terms,
  triage,
  created,
}: {
  terms: number;
  triage: number;
  created: boolean;
}): string {
  return `clock_terms as (
  select * from jsonb_populate_recordset(null::sla_clocks, $${terms}::jsonb)
), clocks as (
  insert into sla_clocks (id, agency_id, client_id, item_id, ${clockTermColumns.join(", ")})
  select (left(s.id::text, 19) || right(gen_random_uuid()::text, 17))::uuid, s.agency_id, s.client_id, s.id,
    ${clockTermColumns.map((column) => `t.${column}`).join(", ")}
  from started s join clock_terms t on t.priority = s.priority
  order by s.id, t.metric
  ${created ? "" : "on conflict do nothing"}
), wakeups as (
  insert into workflow_wakeups (id, agency_id, client_id, flow, subject_id, due_at)
  select w.id, w.agency_id, w.client_id, w.flow, w.subject_id, w.due_at
  from jsonb_populate_recordset(null::workflow_wakeups, $${triage}::jsonb) w
  where w.subject_id in (select id from started)
  order by w.subject_id
  ${
    created
      ? ""
      : `on conflict (flow, subject_id) do update set
    due_at = least(workflow_wakeups.due_at, excluded.due_at),
    updated_at = date_trunc('milliseconds', clock_timestamp())`
  }
)`;
}
