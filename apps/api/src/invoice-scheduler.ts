import { runMonthlyInvoiceDrafts } from "@parley/core/billing";
import type { Database } from "@parley/db";

export interface InvoiceSchedulerOptions {
  db: Database;
  /** How often to look whether an agency's month is due (default hourly, like the Inngest cron). */
  intervalMs?: number;
  /** What time it is for the run; the tests drive it. */
  clock?: { now(): Date };
  log?: (line: string, extra?: unknown) => void;
}

/**
 * The embedded driver of the monthly invoice drafts, for when no Inngest server runs: looks once at
 * start-up and then every `intervalMs`, and runs core's `runMonthlyInvoiceDrafts` — the same
 * decision (`findDueMonthlyInvoiceRuns`: the 1st, 06:00 in each agency's zone) and the same
 * idempotent drafts as the Inngest cron (@parley/workflows `createMonthlyInvoicesFunction`). A month
 * already done costs one query per agency; an agency that fails is logged and the others still
 * run; the timer does not keep the process alive.
 */
export function startInvoiceScheduler({
  db,
  intervalMs = 3_600_000,
  clock = { now: () => new Date() },
  log = console.error,
}: InvoiceSchedulerOptions) {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= runMonthlyInvoiceDrafts(db, {
      now: clock.now(),
      onError: (error, run) => log(`monthly invoice drafts of agency ${run.agencyId} (${run.period}) failed`, error),
    })
      .then((results) => {
        const created = results.flatMap((r) => r.outcomes).filter((o) => o.status === "created").length;
        if (created > 0) log(`Created ${created} invoice draft(s) for last month.`);
      })
      .catch((error: unknown) => log("monthly invoice drafts failed", error))
      .finally(() => {
        running = null;
      });
    return running;
  };
  void tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    /** Looks now (or waits for the look under way). */
    runNow: (): Promise<void> => tick(),
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
