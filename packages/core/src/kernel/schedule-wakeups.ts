import { type Executor, schema } from "@parley/db";
import { sql } from "drizzle-orm";
import type { FlowName, WakeupEvent } from "./wakeup";

const { workflowWakeups } = schema;

/** The flows as the `workflow_wakeups.flow` column names them. */
export type WakeupFlowColumn = (typeof workflowWakeups.flow.enumValues)[number];

export const flowColumnOf: Record<FlowName, WakeupFlowColumn> = { triage: "triage", "sla-watch": "clock" };
export const flowNameOf: Record<WakeupFlowColumn, FlowName> = { triage: "triage", clock: "sla-watch" };

export interface WakeupTarget {
  flow: FlowName;
  agencyId: string;
  clientId: string;
  itemId: string;
}

/** A wake-up as a `workflow_wakeups` row (snake_case, ready for `jsonb_populate_recordset`). */
export function wakeupRowOf(wakeup: WakeupTarget & { dueAt: Date; waitingFor?: WakeupEvent | null }) {
  return {
    id: schema.uuidv7(),
    agency_id: wakeup.agencyId,
    client_id: wakeup.clientId,
    flow: flowColumnOf[wakeup.flow],
    subject_id: wakeup.itemId,
    due_at: wakeup.dueAt.toISOString(),
    waiting_for: wakeup.waitingFor ?? null,
  };
}

/**
 * Arms a flow for an item inside the caller's (tenant) transaction, so the wake-up commits with the change
 * that needs it: the wake-up table is also the outbox the Inngest relay reads. An existing wake-up keeps
 * the earlier time; `updated_at` moves, which tells a driver holding the claim that it was re-armed.
 */
export async function scheduleWakeups(
  tx: Executor,
  wakeups: ReadonlyArray<WakeupTarget & { dueAt: Date; waitingFor?: WakeupEvent | null }>,
): Promise<void> {
  if (wakeups.length === 0) return;
  const rows = wakeups.map(wakeupRowOf);
  await tx.execute(sql`
    insert into ${workflowWakeups} (id, agency_id, client_id, flow, subject_id, due_at, waiting_for)
    select id, agency_id, client_id, flow, subject_id, due_at, waiting_for
    from jsonb_populate_recordset(null::workflow_wakeups, ${JSON.stringify(rows)}::jsonb)
    order by flow, subject_id
    on conflict (flow, subject_id) do update set
      due_at = least(${workflowWakeups}.due_at, excluded.due_at),
      waiting_for = coalesce(excluded.waiting_for, ${workflowWakeups}.waiting_for),
      updated_at = date_trunc('milliseconds', clock_timestamp())`);
}

/**
 * `event` happened for the item: its flow advances at `now` (the embedded driver picks it up within a
 * poll; the Inngest relay forwards the event). Creates the wake-up when none exists, so a lost one is
 * recreated rather than the event dropped.
 */
export async function wakeFlow(
  tx: Executor,
  { event, now, ...target }: WakeupTarget & { event: WakeupEvent; now: Date },
): Promise<void> {
  await scheduleWakeups(tx, [{ ...target, dueAt: now, waitingFor: event }]);
}
