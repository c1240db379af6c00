import { AppError } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, eq, ne, sql } from "drizzle-orm";
import { getClient } from "../agencies/clients";
import type { Scope } from "../agencies/scope";
import { recordAudit } from "../audit/record-audit";
import { publishLiveEvent } from "../live/publish-live-event";

const { items, clients } = schema;
type ItemRow = typeof items.$inferSelect;

/** How long a claim holds an item before it goes back to the queue, unless the moderator acts or renews it. */
export const defaultClaimLeaseSeconds = 10 * 60;

/**
 * The order queues are worked in: most urgent first, then oldest. The SLA seam: once items carry their
 * first-response due time, it goes between the two terms (and into `items_claim_queued_idx`, which serves this
 * order). Unqualified columns, so it reads the same on `items` and on a subquery selecting these columns.
 */
export const queueOrder = sql`priority, received_at`;

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

/** A `uuid[]` literal of bound parameters. */
export function uuidArray(ids: readonly string[]) {
  return sql`array[${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )}]::uuid[]`;
}

/** The clients whose queues the caller works: the one asked for (NOT_FOUND outside the scope), else all of theirs. */
export async function queueClientIds(scope: Scope, tx: Executor, clientId: string | undefined): Promise<string[]> {
  if (clientId) return [(await getClient(scope, tx, clientId)).id];
  if (scope.clientIds) return [...scope.clientIds];
  const rows = await tx
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.agencyId, scope.agencyId), ne(clients.status, "archived")));
  return rows.map((row) => row.id);
}

/** Announces one `queue.changed` per client (counts and lists of those clients are stale). */
export async function publishQueueChanges(
  scope: Scope,
  tx: Executor,
  changes: ReadonlyArray<{ clientId: string; itemId: string }>,
): Promise<void> {
  const byClient = new Map(changes.map((change) => [change.clientId, change.itemId]));
  for (const [clientId, subjectId] of byClient) {
    await publishLiveEvent(tx, { type: "queue.changed", agencyId: scope.agencyId, clientId, subjectId });
  }
}

/**
 * Gives the caller the most urgent queued item (`queueOrder`) of one client or of every client they
 * work on, leased for `leaseSeconds`; null when the queue is empty. Claims whose lease ran out first go back
 * to the queue in their original place. Two moderators never get the same item: candidates are taken with
 * `FOR UPDATE SKIP LOCKED`, one per client from the partial index `items_claim_queued_idx`, so each claim
 * reads a handful of index entries however long the queue (measured in claim-next-item.int.test.ts).
 * `skip` lists items the caller skipped recently (the console keeps them for `defaultClaimLeaseSeconds`):
 * they stay in the queue for everyone else.
 */
export async function claimNextItem(
  scope: Scope,
  tx: Executor,
  input: { clientId?: string | undefined; skip?: readonly string[] | undefined; leaseSeconds?: number },
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
  await publishQueueChanges(
    scope,
    tx,
    expired.map((row) => ({ clientId: row.client_id, itemId: row.id })),
  );
  const skipped = input.skip?.length ? sql`and not (id = any(${uuidArray(input.skip)}))` : sql``;
  const [candidate] = await tx.execute<{ id: string }>(sql`
    select next.id from unnest(${scopeClients}) as scoped(client_id)
    cross join lateral (
      select id, priority, received_at from ${items}
      where agency_id = ${scope.agencyId} and client_id = scoped.client_id and status = 'queued' ${skipped}
      order by ${queueOrder}
      limit 1
      for update skip locked
    ) as next
    order by ${queueOrder}
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
  await publishQueueChanges(scope, tx, [{ clientId: row.clientId, itemId: row.id }]);
  return toClaimedItemView(row);
}
