import { sql } from "drizzle-orm";
import type { Database, Transaction } from "./client";
import { runPrepared } from "./prepared";

/**
 * What row-level security sees: the agency, and for scoped users the clients they may touch
 * (`null` = every client of the agency).
 */
export interface TenantContext {
  agencyId: string;
  clientIds: readonly string[] | null;
  userId?: string | null;
}

/**
 * Sets the tenant for the current transaction only (`set_config(..., true)`). The statement is sent at once
 * (`runPrepared`), so statements issued after it go out behind it without waiting for its answer.
 */
export async function setTenant(tx: Transaction, tenant: TenantContext): Promise<void> {
  await runPrepared(tx, setTenantStatement, tenantSettings(tenant));
}

const setTenantStatement =
  "select set_config('app.agency_id', $1, true), set_config('app.client_ids', $2, true), set_config('app.user_id', $3, true)";

function tenantSettings(tenant: TenantContext): string[] {
  return [tenant.agencyId, tenant.clientIds === null ? "" : `{${tenant.clientIds.join(",")}}`, tenant.userId ?? ""];
}

/**
 * Runs `work` in a transaction whose row-level security is scoped to `tenant`. The tenant settings and the
 * work's first statement travel together: one round trip fewer per transaction.
 */
export function withTenant<T>(db: Database, tenant: TenantContext, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const settled = setTenant(tx, tenant);
    try {
      const result = await work(tx);
      await settled;
      return result;
    } catch (error) {
      await settled; // a failed setting is the cause of whatever failed behind it
      throw error;
    }
  });
}

/** A transaction that sees only the given user's own memberships (before an agency is chosen). */
export function withUser<T>(db: Database, userId: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.user_id', ${userId}, true)`);
    return work(tx);
  });
}
