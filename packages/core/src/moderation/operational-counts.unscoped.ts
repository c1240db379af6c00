import { type Database, schema, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";

/*
 * Deliberately unscoped: an API process's metrics cover every agency. Only the list of agencies is read outside
 * a tenant; each agency's counts are read in a transaction scoped to it, so row-level security still applies.
 */

export interface OperationalCounts {
  /** Queued items per client (clients with none are left out). */
  queued: Array<{ agencyId: string; clientId: string; count: number }>;
  /** The outbox: never attempted yet, attempted and due again, and given up in the last 24 hours. */
  outbox: { pending: number; retrying: number; failed: number };
}

/** What the operator watches: queue depth per client and the outbox's backlog, read from the indexes of both. */
export async function readOperationalCounts(db: Database): Promise<OperationalCounts> {
  const agencies = await db.select({ id: schema.agencies.id }).from(schema.agencies);
  const counts: OperationalCounts = { queued: [], outbox: { pending: 0, retrying: 0, failed: 0 } };
  for (const { id: agencyId } of agencies) {
    const [queued, outbox] = await withTenant(db, { agencyId, clientIds: null }, (tx) =>
      Promise.all([
        tx.execute<{ client_id: string; count: number }>(sql`
          select client_id, count(*)::int as count from ${schema.items}
          where agency_id = ${agencyId} and status = 'queued' group by client_id`),
        tx.execute<{ pending: number; retrying: number; failed: number }>(sql`
          select count(*) filter (where status = 'pending' and attempts = 0)::int as pending,
            count(*) filter (where status = 'pending' and attempts > 0)::int as retrying,
            count(*) filter (where status = 'failed' and updated_at > now() - interval '24 hours')::int as failed
          from ${schema.outboundDeliveries}
          where agency_id = ${agencyId} and (status = 'pending'
            or (status = 'failed' and last_error is not null and updated_at > now() - interval '24 hours'))`),
      ]),
    );
    for (const row of queued) counts.queued.push({ agencyId, clientId: row.client_id, count: row.count });
    counts.outbox.pending += outbox[0]?.pending ?? 0;
    counts.outbox.retrying += outbox[0]?.retrying ?? 0;
    counts.outbox.failed += outbox[0]?.failed ?? 0;
  }
  return counts;
}
