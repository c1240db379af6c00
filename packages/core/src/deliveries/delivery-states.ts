import { type DeliveryState, deliveryStateOf } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, inArray } from "drizzle-orm";

const { outboundDeliveries } = schema;

/** The delivery states of some items' public actions: per item and per reply, the most recent one. */
export interface DeliveryStates {
  ofItem(itemId: string): DeliveryState | null;
  ofReply(replyId: string): DeliveryState | null;
}

/**
 * Reads what the outbox knows of the items' public actions, so every view says what the platform confirmed
 * (`deliveryStateOf`) rather than what was decided.
 */
export async function findDeliveryStates(
  tx: Executor,
  input: { agencyId: string; itemIds: readonly string[] },
): Promise<DeliveryStates> {
  const byItem = new Map<string, DeliveryState>();
  const byReply = new Map<string, DeliveryState>();
  if (input.itemIds.length > 0) {
    const rows = await tx
      .select()
      .from(outboundDeliveries)
      .where(
        and(eq(outboundDeliveries.agencyId, input.agencyId), inArray(outboundDeliveries.itemId, [...input.itemIds])),
      )
      .orderBy(asc(outboundDeliveries.createdAt), asc(outboundDeliveries.id));
    for (const row of rows) {
      const state = deliveryStateOf(row);
      byItem.set(row.itemId, state);
      if (row.replyId) byReply.set(row.replyId, state);
    }
  }
  return {
    ofItem: (itemId) => byItem.get(itemId) ?? null,
    ofReply: (replyId) => byReply.get(replyId) ?? null,
  };
}
