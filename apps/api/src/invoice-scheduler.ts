import { runMonthlyInvoiceDrafts } from "@parley/core/billing";
import type { Database } from "@parley/db";

export interface InvoiceSchedulerOptions {
  db: Database;
  /** How often to look whether an agency's month is due (default hourly). */
  intervalMs?: number;
  log?: (line: string, extra?: unknown) => void;
}

/**
 * The embedded equivalent of the monthly Inngest cron: looks once at start-up and then every
 * `intervalMs` whether an agency's 1st, 06:00 has come, and runs core's idempotent monthly drafts.
 * A month already done costs one look per client; the timer does not keep the process alive.
 */
export function startInvoiceScheduler({ db, intervalMs = 3_600_000, log = console.error }: InvoiceSchedulerOptions) {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= runMonthlyInvoiceDrafts(db, { now: new Date() })
      .then((results) => {
        const created = results.flatMap((r) => r.outcomes).filter((o) => o.status === "created").length;
        if (created > 0) log(`Created ${created} invoice draft(s) for last month.`);
      })
      .catch((error: unknown) => log("monthly invoice drafts failed", error))
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
