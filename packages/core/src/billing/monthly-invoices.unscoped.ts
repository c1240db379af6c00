/**
 * The monthly invoice run across agencies (deliberately unscoped: it lists the agencies, then works
 * inside each one's tenant transaction). Due for an agency from 06:00 on the 1st in its time zone;
 * it drafts the previous month of every client that has no invoice for it yet and notifies the
 * account managers. Idempotent: the draft unique index and `onlyMissing` make a second run a no-op,
 * so the Inngest cron, the embedded scheduler and a restart can all call it.
 */
import { type Database, schema } from "@parley/db";
import { eq } from "drizzle-orm";
import { previousMonth } from "./invoice-drafts";
import { createMonthlyInvoiceDrafts, type DraftOutcome } from "./invoices";

export interface MonthlyRunResult {
  agencyId: string;
  period: string;
  outcomes: DraftOutcome[];
}

/** The hour of the 1st, in the agency's zone, from which last month's drafts are due. */
export const MONTHLY_RUN_HOUR = 6;

function isDue(now: Date, timeZone: string): boolean {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    hour: "numeric",
    hourCycle: "h23",
  }).formatToParts(now);
  const day = Number(parts.find((part) => part.type === "day")?.value);
  const hour = Number(parts.find((part) => part.type === "hour")?.value);
  return day > 1 || hour >= MONTHLY_RUN_HOUR;
}

/** Runs the month's drafts for every agency (of `timeZone`, when given) that is due at `now`. */
export async function runMonthlyInvoiceDrafts(
  db: Database,
  input: { now: Date; timeZone?: string },
): Promise<MonthlyRunResult[]> {
  const rows = await db
    .select({ id: schema.agencies.id, timeZone: schema.agencies.timeZone })
    .from(schema.agencies)
    .where(input.timeZone ? eq(schema.agencies.timeZone, input.timeZone) : undefined);
  const results: MonthlyRunResult[] = [];
  for (const agency of rows) {
    if (!isDue(input.now, agency.timeZone)) continue;
    const period = previousMonth(input.now, agency.timeZone);
    const outcomes = await createMonthlyInvoiceDrafts(db, { agencyId: agency.id, period, asOf: input.now });
    results.push({ agencyId: agency.id, period, outcomes });
  }
  return results;
}
