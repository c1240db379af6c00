import { type Database, schema } from "@parley/db";
import { type DeliveryDeps, type DeliveryRun, deliverDue } from "./deliver-due";

/*
 * Deliberately unscoped: the delivery sweep runs for every agency, and only the list of agencies is read
 * outside a tenant (the agencies table is the tenant list itself, not protected by row-level security).
 * Each agency's deliveries are then claimed and recorded in transactions scoped to that agency.
 */

/** Carries out the due deliveries of every agency, one agency after another. */
export async function deliverDueForEveryAgency(db: Database, deps: DeliveryDeps): Promise<DeliveryRun> {
  const agencies = await db.select({ id: schema.agencies.id }).from(schema.agencies);
  const total: DeliveryRun = { sent: 0, retrying: 0, failed: 0 };
  for (const agency of agencies) {
    const run = await deliverDue(db, { agencyId: agency.id }, deps);
    total.sent += run.sent;
    total.retrying += run.retrying;
    total.failed += run.failed;
  }
  return total;
}
