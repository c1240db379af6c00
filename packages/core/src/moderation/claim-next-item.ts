import { AppError } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Scope } from "../agencies/scope";
import { recordAudit } from "../audit/record-audit";

const { items, clients } = schema;
type ItemRow = typeof items.$inferSelect;

/** How long a claim holds an item before it goes back to the queue, unless the moderator acts or renews it. */
export const defaultClaimLeaseSeconds = 15 * 60;

export interface ClaimedItemView {
  id: string;
  clientId: string;
  channelId: string;
  externalId: string;
  kind: ItemRow["kind"];
  threadExternalId: string | null;
  parentItemId: string | null;
  customerId: string | null;
  authorHandle: string;
  authorDisplayName: string | null;
  body: string;
  language: string | null;
  url: string | null;
  createdAt: Date;
  receivedAt: Date;
  status: ItemRow["status"];
  categoryKey: string | null;
  priority: ItemRow["priority"];
  riskFlags: string[];
  authority: ItemRow["authority"];
  moderationAction: ItemRow["moderationAction"];
  protocolVersionId: string | null;
  claimExpiresAt: Date | null;
}

function toClaimedItemView(row: ItemRow): ClaimedItemView {
  return {
    id: row.id,
    clientId: row.clientId,
    channelId: row.channelId,
    externalId: row.externalId,
    kind: row.kind,
    threadExternalId: row.threadExternalId,
    parentItemId: row.parentItemId,
    customerId: row.customerId,
    authorHandle: row.authorHandle,
    authorDisplayName: row.authorDisplayName,
    body: row.body,
    language: row.language,
    url: row.url,
    createdAt: row.createdAt,
    receivedAt: row.receivedAt,
    status: row.status,
    categoryKey: row.categoryKey,
    priority: row.priority,
    riskFlags: row.riskFlags,
    authority: row.authority,
    moderationAction: row.moderationAction,
    protocolVersionId: row.protocolVersionId,
    claimExpiresAt: row.claimExpiresAt,
  };
}

function uuidArray(ids: readonly string[]) {
  return sql`array[${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )}]::uuid[]`;
}

async function queueClientIds(scope: Scope, tx: Executor, clientId: string | undefined): Promise<string[]> {
  if (clientId) {
    if (scope.clientIds && !scope.clientIds.includes(clientId)) {
      throw new AppError("NOT_FOUND", "Client not found", { reason: "client_not_found" });
    }
    return [clientId];
  }
  if (scope.clientIds) return [...scope.clientIds];
  const rows = await tx
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.agencyId, scope.agencyId), ne(clients.status, "archived")));
  return rows.map((row) => row.id);
}

/**
 * Gives the caller the most urgent queued item (priority, then arrival) of one client or of every client they
 * work on, leased for `leaseSeconds`; null when the queue is empty. Claims whose lease ran out first go back
 * to the queue in their original place. Two moderators never get the same item: candidates are taken with
 * `FOR UPDATE SKIP LOCKED`, one per client from the partial index `items_claim_queued_idx`, so each claim
 * reads a handful of index entries however long the queue (measured in claim-next-item.int.test.ts).
 */
export async function claimNextItem(
  scope: Scope,
  tx: Executor,
  input: { clientId?: string; leaseSeconds?: number },
  deps: { now?: () => Date } = {},
): Promise<ClaimedItemView | null> {
  if (!["owner", "admin", "moderator"].includes(scope.role)) {
    throw new AppError("FORBIDDEN", "Only moderators claim items", { reason: "role_not_allowed" });
  }
  const now = deps.now?.() ?? new Date();
  const clientIds = await queueClientIds(scope, tx, input.clientId);
  if (clientIds.length === 0) return null;
  const scopeClients = uuidArray(clientIds);
  // Abandoned claims come back (partial index items_claim_expired_idx: only claimed items are in it).
  const at = sql`${now.toISOString()}::timestamptz`;
  const expired = await tx.execute<{ id: string; client_id: string; claimed_by: string | null }>(sql`
    with lapsed as (
      select id, claimed_by from ${items}
      where agency_id = ${scope.agencyId} and client_id = any(${scopeClients})
        and status = 'claimed' and claim_expires_at < ${at}
      for update skip locked)
    update ${items} set status = 'queued', claimed_by = null, claim_expires_at = null, updated_at = ${at}
    from lapsed where ${items}.id = lapsed.id
    returning ${items}.id, ${items}.client_id, lapsed.claimed_by`);
  for (const row of expired) {
    await recordAudit(tx, scope, {
      action: "item.claim_expired",
      subjectType: "item",
      subjectId: row.id,
      clientId: row.client_id,
      before: { claimedBy: row.claimed_by },
    });
  }
  const [candidate] = await tx.execute<{ id: string }>(sql`
    select next.id from unnest(${scopeClients}) as scoped(client_id)
    cross join lateral (
      select id, priority, received_at from ${items}
      where agency_id = ${scope.agencyId} and client_id = scoped.client_id and status = 'queued'
      order by priority, received_at
      limit 1
      for update skip locked
    ) as next
    order by next.priority, next.received_at
    limit 1`);
  if (!candidate) return null;
  const leaseSeconds = input.leaseSeconds ?? defaultClaimLeaseSeconds;
  const [row] = await tx
    .update(items)
    .set({
      status: "claimed",
      claimedBy: scope.actorId,
      claimExpiresAt: new Date(now.getTime() + leaseSeconds * 1000),
      updatedAt: now,
    })
    .where(and(eq(items.id, candidate.id), eq(items.agencyId, scope.agencyId)))
    .returning();
  if (!row) return null;
  await recordAudit(tx, scope, {
    action: "item.claimed",
    subjectType: "item",
    subjectId: row.id,
    clientId: row.clientId,
    after: { claimedBy: scope.actorId, claimExpiresAt: row.claimExpiresAt },
    protocolVersionId: row.protocolVersionId,
  });
  return toClaimedItemView(row);
}
