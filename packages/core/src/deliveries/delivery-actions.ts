import { AppError, type DeliveryState, deliveryStateOf, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import { assertAllowed } from "../kernel/permissions";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { outboxChannel } from "./queue-deliveries";

const { outboundDeliveries, replies, items } = schema;
type DeliveryRow = typeof outboundDeliveries.$inferSelect;

export const deliveryIdInput = z.object({ deliveryId: uuid });

const notFound = () => new AppError("NOT_FOUND", "Delivery not found", { reason: "delivery_not_found" });

/** A failed delivery of the caller's clients, locked; NOT_FOUND outside the scope, INVALID_STATE unless failed. */
async function getFailedDelivery(scope: Scope, tx: Executor, deliveryId: string): Promise<DeliveryRow> {
  assertAllowed(scope, "moderate");
  const [row] = await tx
    .select()
    .from(outboundDeliveries)
    .where(and(eq(outboundDeliveries.id, deliveryId), eq(outboundDeliveries.agencyId, scope.agencyId)))
    .for("update");
  if (!row || (scope.clientIds && !scope.clientIds.includes(row.clientId))) throw notFound();
  if (row.status !== "failed") {
    throw new AppError("INVALID_STATE", "Only a failed delivery can be retried or cancelled", {
      reason: "delivery_not_failed",
      status: row.status,
    });
  }
  return row;
}

async function announce(tx: Executor, row: DeliveryRow): Promise<void> {
  await publishLiveEvent(tx, {
    type: "item.changed",
    agencyId: row.agencyId,
    clientId: row.clientId,
    subjectId: row.itemId,
  });
  if (row.replyId) {
    await publishLiveEvent(tx, {
      type: "reply.changed",
      agencyId: row.agencyId,
      clientId: row.clientId,
      subjectId: row.replyId,
    });
  }
}

/**
 * Sends a failed delivery again, at once, with a fresh round of attempts (the earlier ones stay in the audit
 * trail); its reply is `approved` again until the platform answers.
 */
export async function retryDelivery(
  scope: Scope,
  tx: Executor,
  input: z.infer<typeof deliveryIdInput>,
  deps: { now?: Clock } = {},
): Promise<DeliveryState> {
  const now = (deps.now ?? systemClock)();
  const before = await getFailedDelivery(scope, tx, input.deliveryId);
  const [after] = await tx
    .update(outboundDeliveries)
    .set({ status: "pending", attempts: 0, nextAttemptAt: now, lastError: null, updatedAt: now })
    .where(and(eq(outboundDeliveries.id, before.id), eq(outboundDeliveries.agencyId, scope.agencyId)))
    .returning();
  if (!after) throw notFound();
  if (before.replyId) {
    await tx
      .update(replies)
      .set({ status: "approved", failureReason: null, updatedAt: now })
      .where(and(eq(replies.id, before.replyId), eq(replies.agencyId, scope.agencyId)));
  }
  await recordAudit(tx, scope, {
    action: "delivery.retried",
    subjectType: "delivery",
    subjectId: before.id,
    clientId: before.clientId,
    before: { status: before.status, attempts: before.attempts, lastError: before.lastError },
    after: { status: after.status, action: after.action, itemId: after.itemId, replyId: after.replyId },
  });
  await announce(tx, after);
  await tx.execute(sql`select pg_notify(${outboxChannel}, ${scope.agencyId})`);
  return deliveryStateOf(after);
}

/**
 * Gives up on a failed delivery: it is `cancelled` and never sent. The item's public state was never confirmed,
 * so unless another public action on it was, the item goes back to the queue for someone to deal with.
 */
export async function cancelDelivery(
  scope: Scope,
  tx: Executor,
  input: z.infer<typeof deliveryIdInput>,
  deps: { now?: Clock } = {},
): Promise<DeliveryState> {
  const now = (deps.now ?? systemClock)();
  const before = await getFailedDelivery(scope, tx, input.deliveryId);
  const [after] = await tx
    .update(outboundDeliveries)
    .set({ status: "cancelled", updatedAt: now })
    .where(and(eq(outboundDeliveries.id, before.id), eq(outboundDeliveries.agencyId, scope.agencyId)))
    .returning();
  if (!after) throw notFound();
  const [confirmed] = await tx
    .select({ id: outboundDeliveries.id })
    .from(outboundDeliveries)
    .where(
      and(
        eq(outboundDeliveries.agencyId, scope.agencyId),
        eq(outboundDeliveries.itemId, before.itemId),
        eq(outboundDeliveries.status, "sent"),
        ne(outboundDeliveries.id, before.id),
      ),
    )
    .limit(1);
  let requeued = false;
  if (!confirmed) {
    const [item] = await tx
      .update(items)
      .set({ status: "queued", claimedBy: null, claimExpiresAt: null, updatedAt: now })
      .where(
        and(
          eq(items.id, before.itemId),
          eq(items.agencyId, scope.agencyId),
          sql`${items.status} in ('responded', 'hidden', 'deleted')`,
        ),
      )
      .returning({ id: items.id });
    requeued = Boolean(item);
  }
  await recordAudit(tx, scope, {
    action: "delivery.cancelled",
    subjectType: "delivery",
    subjectId: before.id,
    clientId: before.clientId,
    before: { status: before.status, attempts: before.attempts, lastError: before.lastError },
    after: { status: after.status, action: after.action, itemId: after.itemId, replyId: after.replyId, requeued },
  });
  await announce(tx, after);
  if (requeued) {
    await publishLiveEvent(tx, { type: "queue.changed", agencyId: scope.agencyId, clientId: before.clientId });
  }
  return deliveryStateOf(after);
}
