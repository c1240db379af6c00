import { sql } from "drizzle-orm";
import type { Database, Transaction } from "./client";

/**
 * What row-level security sees: the agency, and for scoped users the clients they may touch
 * (`null` = every client of the agency).
 */
export interface TenantContext {
  agencyId: string;
  clientIds: readonly string[] | null;
  userId?: string | null;
}

/** Sets the tenant for the current transaction only (`set_config(..., true)`). */
export async function setTenant(tx: Transaction, tenant: TenantContext): Promise<void> {
  const clientIds = tenant.clientIds === null ? "" : `{${tenant.clientIds.join(",")}}`;
  await tx.execute(
    sql`select set_config('app.agency_id', ${tenant.agencyId}, true), set_config('app.client_ids', ${clientIds}, true), set_config('app.user_id', ${tenant.userId ?? ""}, true)`,
  );
}

/** Runs `work` in a transaction whose row-level security is scoped to `tenant`. */
export function withTenant<T>(db: Database, tenant: TenantContext, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await setTenant(tx, tenant);
    return work(tx);
  });
}

/** A transaction that sees only the given user's own memberships (before an agency is chosen). */
export function withUser<T>(db: Database, userId: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.user_id', ${userId}, true)`);
    return work(tx);
  });
}
