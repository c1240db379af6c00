import type { ParleyInngest } from "./client";

export const MONTHLY_INVOICES_FUNCTION_ID = "monthly-invoice-drafts";

export interface CreateMonthlyInvoicesFunctionOptions {
  inngest: ParleyInngest;
  /** The agencies' IANA zone this function fires in (one function per zone in use). */
  timeZone: string;
  /** core's `runMonthlyInvoiceDrafts` for that zone, bound to the database by apps/api. */
  run: (input: { timeZone: string; now: Date }) => Promise<unknown>;
  now?: () => Date;
}

/** The cron of one zone: 06:00 local on the 1st. */
export function monthlyInvoicesCron(timeZone: string): string {
  return `TZ=${timeZone} 0 6 1 * *`;
}

/**
 * Last month's invoice drafts for the agencies of one time zone, at 06:00 on the 1st there, with a
 * notice to the account managers. The run is idempotent (drafts are unique per client and month),
 * so Inngest's retries and the embedded scheduler's catch-up never duplicate anything.
 */
export function createMonthlyInvoicesFunction({
  inngest,
  timeZone,
  run,
  now = () => new Date(),
}: CreateMonthlyInvoicesFunctionOptions) {
  return inngest.createFunction(
    {
      id: `${MONTHLY_INVOICES_FUNCTION_ID}-${timeZone.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
      name: `Monthly invoice drafts (${timeZone})`,
      triggers: [{ cron: monthlyInvoicesCron(timeZone) }],
    },
    async ({ step }) => step.run("create-drafts", () => run({ timeZone, now: now() })),
  );
}
