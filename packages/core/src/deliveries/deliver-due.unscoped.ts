import { type Database, schema } from "@parley/db";
import { systemClock } from "../kernel/clock";
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  type DeliveryDeps,
  type DeliveryRun,
  defaultBatchSize,
  sendClaimedDeliveries,
} from "./deliver-due";

/*
 * Deliberately unscoped: the delivery sweep runs for every agency, and only the list of agencies is read
 * outside a tenant (the agencies table is the tenant list itself, not protected by row-level security).
 * Each agency's deliveries are then claimed and recorded in transactions scoped to that agency.
 */

/** How often a sweep that is still draining looks again at every agency (to take in work that arrived meanwhile). */
const defaultRescanMs = 1000;

/**
 * Carries out the due deliveries of every agency, fairly: each round claims a batch shared between the agencies that
 * have work (each agency's share round-robin across its clients, see `claimDueDeliveries`) and sends it at once, so
 * one agency's backlog of thousands is worked through beside another agency's single reply, not before it. While a
 * backlog drains, every agency is looked at again each `rescanMs`. It ends when nothing is due, or after the batch
 * in flight once `deps.stopping` is aborted.
 */
export async function deliverDueForEveryAgency(
  db: Database,
  deps: DeliveryDeps & { rescanMs?: number },
): Promise<DeliveryRun> {
  const total: DeliveryRun = { sent: 0, retrying: 0, failed: 0 };
  const batch = deps.batchSize ?? defaultBatchSize;
  const rescanMs = deps.rescanMs ?? defaultRescanMs;
  let busy: string[] = [];
  let scannedAt = Number.NEGATIVE_INFINITY;
  while (!deps.stopping?.aborted) {
    const rescan = Date.now() - scannedAt >= rescanMs;
    if (rescan) scannedAt = Date.now();
    const candidates = rescan
      ? (await db.select({ id: schema.agencies.id }).from(schema.agencies)).map((agency) => agency.id)
      : busy;
    // Agencies that had work last round share the batch; on a rescan, each agency is offered at least one slot.
    const sharing = Math.max(1, rescan ? Math.max(busy.length, 1) : busy.length);
    const share = Math.max(1, Math.ceil(batch / sharing));
    const claimed: ClaimedDelivery[] = [];
    const nextBusy: string[] = [];
    for (const agencyId of candidates) {
      const now = (deps.now ?? systemClock)();
      const taken = await claimDueDeliveries(db, agencyId, deps, { now, limit: share });
      if (taken.length > 0) {
        claimed.push(...taken);
        nextBusy.push(agencyId);
      }
    }
    busy = nextBusy;
    if (claimed.length === 0) {
      if (rescan) return total;
      scannedAt = Number.NEGATIVE_INFINITY;
      continue;
    }
    await sendClaimedDeliveries(db, claimed, deps, total);
  }
  return total;
}
