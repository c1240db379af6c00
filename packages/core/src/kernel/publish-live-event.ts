import type { LiveEvent } from "@parley/contracts";
import type { Executor } from "@parley/db";
import { sql } from "drizzle-orm";

/** The PostgreSQL channel every API process LISTENs on to push live updates to consoles (SSE). */
export const liveChannel = "parley_live";

/**
 * Announces a change. `pg_notify` inside the caller's transaction is delivered at commit and
 * dropped on rollback, so listeners never hear of a change that did not happen. Carries ids only:
 * listeners re-read through their own scope; a null subject is left out. Claim next's `parley_claim_take`
 * (migration 0051) builds the same payload in SQL.
 */
export async function publishLiveEvent(tx: Executor, event: LiveEvent): Promise<void> {
  await tx.execute(
    sql`select pg_notify(${liveChannel}, (jsonb_build_object('type', ${event.type}::text, 'agencyId', ${event.agencyId}::text,
      'clientId', ${event.clientId}::uuid) || jsonb_strip_nulls(jsonb_build_object('subjectId', ${event.subjectId ?? null}::text)))::text)`,
  );
}
