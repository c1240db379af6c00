/**
 * The item facts sweep across agencies (deliberately unscoped: it lists the agencies, then works inside each one's
 * tenant transaction). Each API process runs it every few minutes (`apps/api/src/item-facts-sweeper.ts`); each
 * client's days are written by `materializeClientFacts`, one transaction per run of days, under the client's advisory
 * lock, so several processes share the work and a client another process holds is left for the next look.
 */
import { type Database, schema, withTenant } from "@parley/db";
import { eq } from "drizzle-orm";
import { materializeClientFacts } from "./item-facts";

const { agencies, clients } = schema;

/** At most this many runs of days per sweep: a first sweep over years of history spreads over several. */
export const factRunsPerSweep = 200;

/** Writes the facts of every client's settled days still without them; returns how many client-days it wrote. */
export async function sweepItemFacts(
  db: Database,
  input: { now: Date; onError?: (error: unknown, agencyId: string) => void },
): Promise<number> {
  let days = 0;
  let runs = 0;
  for (const agency of await db.select({ id: agencies.id }).from(agencies).orderBy(agencies.id)) {
    const tenant = { agencyId: agency.id, clientIds: null };
    try {
      const agencyClients = await withTenant(db, tenant, (tx) =>
        tx.select({ id: clients.id }).from(clients).where(eq(clients.agencyId, agency.id)).orderBy(clients.id),
      );
      for (const client of agencyClients) {
        while (runs < factRunsPerSweep) {
          const written = await withTenant(db, tenant, (tx) =>
            materializeClientFacts(tx, { agencyId: agency.id, clientId: client.id, now: input.now }),
          );
          if (written === 0) break;
          days += written;
          runs++;
        }
      }
    } catch (error) {
      if (!input.onError) throw error;
      input.onError(error, agency.id);
    }
  }
  return days;
}
