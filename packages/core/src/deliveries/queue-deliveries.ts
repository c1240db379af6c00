/**
 * The outbox of public actions (replies, hides, deletes): queued in the transaction that decided them, carried
 * out after commit by each API process's delivery worker (deliver-due).
 */
import type { OutboundAction } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { sql } from "drizzle-orm";

const { outboundDeliveries } = schema;

/** The PostgreSQL channel a delivery worker LISTENs on: notified at commit of a transaction that queued work. */
export const outboxChannel = "parley_outbox";

export interface DeliveryToQueue {
  agencyId: string;
  clientId: string;
  channelId: string;
  itemId: string;
  replyId?: string | null;
  action: OutboundAction;
}

/**
 * Puts public actions in the outbox, in the caller's transaction: nothing reaches the platform unless the
 * decision commits, and nothing decided is lost if the process stops before sending.
 */
export async function queueDeliveries(tx: Executor, deliveries: readonly DeliveryToQueue[]): Promise<void> {
  if (deliveries.length === 0) return;
  await tx
    .insert(outboundDeliveries)
    .values(deliveries.map((delivery) => ({ ...delivery, status: "pending" as const })));
  for (const agencyId of new Set(deliveries.map((delivery) => delivery.agencyId))) {
    await tx.execute(sql`select pg_notify(${outboxChannel}, ${agencyId})`);
  }
}
