import type { Executor } from "@parley/db";
import { sql } from "drizzle-orm";

/** The PostgreSQL channel every API process LISTENs on to push live updates to consoles (SSE). */
export const liveChannel = "parley_live";

export type LiveEventType =
  | "queue.changed"
  | "item.changed"
  | "reply.changed"
  | "escalation.changed"
  | "clock.changed"
  | "invoice.changed";

export interface LiveEvent {
  type: LiveEventType;
  agencyId: string;
  clientId: string | null;
  subjectId?: string;
}

/**
 * Announces a change. `pg_notify` inside the caller's transaction is delivered at commit and
 * dropped on rollback, so listeners never hear of a change that did not happen. Carries ids only:
 * listeners re-read through their own scope.
 */
export async function publishLiveEvent(tx: Executor, event: LiveEvent): Promise<void> {
  await tx.execute(sql`select pg_notify(${liveChannel}, ${JSON.stringify(event)})`);
}
