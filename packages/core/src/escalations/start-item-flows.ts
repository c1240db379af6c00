import { type Executor, schema } from "@parley/db";
import { and, eq, inArray, ne } from "drizzle-orm";
import { startItemClocks } from "./clock-store";
import { findActivePlaybooks, playbookMatches } from "./playbooks";
import { scheduleWakeups } from "./wakeup-queue";

const { items } = schema;

/**
 * What every new item sets off (DESIGN §4 Ingest): its SLA clocks and their watch, and the triage flow
 * when the protocol gives moderators no authority for its category or a playbook trigger matches. Runs in
 * the ingest transaction, once per batch; the wake-ups it arms are also what the Inngest relay forwards.
 */
export async function startItemFlows(
  tx: Executor,
  { agencyId, clientId, itemIds, now }: { agencyId: string; clientId: string; itemIds: readonly string[]; now: Date },
): Promise<void> {
  if (itemIds.length === 0) return;
  const rows = await tx
    .select({
      id: items.id,
      priority: items.priority,
      receivedAt: items.receivedAt,
      authority: items.authority,
      categoryKey: items.categoryKey,
      riskFlags: items.riskFlags,
      body: items.body,
    })
    .from(items)
    .where(and(eq(items.agencyId, agencyId), inArray(items.id, [...itemIds]), ne(items.status, "deleted")));
  await startItemClocks(tx, { agencyId, clientId, items: rows });
  const playbooks = await findActivePlaybooks(tx, { agencyId, clientId });
  const triaged = rows.filter(
    (row) => row.authority === "triage" || playbooks.some((playbook) => playbookMatches(playbook.document, row)),
  );
  await scheduleWakeups(
    tx,
    triaged.map((row) => ({ flow: "triage" as const, agencyId, clientId, itemId: row.id, dueAt: now })),
  );
}
