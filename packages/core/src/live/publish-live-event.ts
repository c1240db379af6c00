import type { Executor } from "@parley/db";
import { type SQL, sql } from "drizzle-orm";

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
 * The `pg_notify` call announcing one event, its parts SQL expressions, so a statement can announce each row it
 * changes (`clientId`/`subjectId` may be column names of the rows it selects from). A null subject is left out.
 * Claim next's `parley_claim_take` (migration 0017) builds the same payload in SQL.
 */
export function liveEventNotification(event: { type: LiveEventType; agencyId: string; clientId: SQL; subjectId: SQL }) {
  return sql`pg_notify(${liveChannel}, (jsonb_build_object('type', ${event.type}::text, 'agencyId', ${event.agencyId}::text,
    'clientId', ${event.clientId}) || jsonb_strip_nulls(jsonb_build_object('subjectId', ${event.subjectId})))::text)`;
}

/**
 * Announces a change. `pg_notify` inside the caller's transaction is delivered at commit and
 * dropped on rollback, so listeners never hear of a change that did not happen. Carries ids only:
 * listeners re-read through their own scope.
 */
export async function publishLiveEvent(tx: Executor, event: LiveEvent): Promise<void> {
  await tx.execute(
    sql`select ${liveEventNotification({
      type: event.type,
      agencyId: event.agencyId,
      clientId: sql`${event.clientId}::uuid`,
      subjectId: sql`${event.subjectId ?? null}::text`,
    })}`,
  );
}
