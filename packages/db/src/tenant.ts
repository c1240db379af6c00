import { type SQL, sql } from "drizzle-orm";
import type { Database, Transaction } from "./client";
import { preparedQuery, runPrepared } from "./prepared";

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

const setTenantOnGenericPlansStatement = `${setTenantStatement}, set_config('plan_cache_mode', 'force_generic_plan', true)`;

function tenantSettings(tenant: TenantContext): string[] {
  return [tenant.agencyId, tenant.clientIds === null ? "" : `{${tenant.clientIds.join(",")}}`, tenant.userId ?? ""];
}

/**
 * Runs one statement in a transaction of its own scoped to `tenant`, in one round trip: BEGIN, the tenant
 * settings, the statement (prepared, `executePrepared`) and COMMIT go out together on one connection. If the
 * statement fails, PostgreSQL ends the failed transaction at that COMMIT with a rollback, and the error is thrown.
 *
 * The statement runs on its generic plan (`plan_cache_mode`, for this transaction only): these are hot-path
 * statements, planned once per connection. Left to choose, PostgreSQL re-plans a statement on every call when
 * its generic plan merely looks costlier than the custom ones (claim next's queue heads did, and planning cost
 * more than running them).
 */
export async function executeInTenant<Row>(db: Database, tenant: TenantContext, query: SQL): Promise<Row[]> {
  const connection = await db.$client.reserve();
  try {
    const { sql: text, params } = preparedQuery(query);
    const sent = [
      connection.unsafe("begin").execute(),
      connection.unsafe(setTenantOnGenericPlansStatement, tenantSettings(tenant), { prepare: true }).execute(),
      connection.unsafe(text, params as never[], { prepare: true }).execute(),
      connection.unsafe("commit").execute(),
    ];
    // Every answer is read before the connection goes back to the pool; the first failure is the cause.
    const answers = await Promise.allSettled(sent);
    const failed = answers.find((answer) => answer.status === "rejected");
    if (failed) throw failed.reason;
    return (answers[2] as PromiseFulfilledResult<unknown>).value as Row[];
  } finally {
    connection.release();
  }
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
