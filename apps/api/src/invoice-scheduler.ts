import { runMonthlyInvoiceDrafts } from "@parley/core/billing";
import { type Clock, type Notifier, systemClock } from "@parley/core/kernel";
import { sendMonthlyClientReports } from "@parley/core/reports";
import type { Database } from "@parley/db";
import { renderMonthlyReportPdf } from "@parley/documents";
import { createPoller } from "@parley/workflows";
import { fallbackLogger, type Logger } from "./logger";
import { startWorker } from "./readiness";

export interface InvoiceSchedulerOptions {
  db: Database;
  /** How often to look whether an agency's month is due (default hourly, like the Inngest cron). */
  intervalMs?: number;
  /** What time it is for the run; the tests drive it. */
  now?: Clock;
  logger?: Logger;
  /** Sends the monthly client reports' e-mails (SMTP); unset: in-app notices only. */
  notifier?: Notifier;
  /** `PUBLIC_URL`, for the download link in the reports' e-mails. */
  publicUrl?: string;
}

/**
 * The embedded driver of the monthly invoice drafts, for when no Inngest server runs: looks once at
 * start-up and then every `intervalMs`, and runs core's `runMonthlyInvoiceDrafts` — the same
 * decision (`findDueMonthlyInvoiceRuns`: the 1st, 06:00 in each agency's zone) and the same
 * idempotent drafts as the Inngest cron (@parley/workflows `createMonthlyInvoicesFunction`). A month
 * already done costs one query per agency; an agency that fails is logged and the others still
 * run; the timer does not keep the process alive (`createPoller`). Several processes may each run it: runs of one agency and
 * month take turns in the database (`createMonthlyInvoiceDrafts`), so drafts and notices are made once.
 * The same look sends last month's client reports to the clients' stakeholders (`sendMonthlyClientReports`, once
 * per client and month, likewise).
 */
export function startInvoiceScheduler({
  db,
  intervalMs = 3_600_000,
  now = systemClock,
  logger = fallbackLogger,
  notifier,
  publicUrl,
}: InvoiceSchedulerOptions) {
  const poller = createPoller({
    everyMs: intervalMs,
    run: async () => {
      const results = await runMonthlyInvoiceDrafts(db, {
        now: now(),
        onError: (error, run) =>
          logger.error({ err: error, agencyId: run.agencyId, period: run.period }, "monthly invoice drafts failed"),
      });
      const created = results.flatMap((r) => r.outcomes).filter((o) => o.status === "created").length;
      if (created > 0) logger.info({ created }, `Created ${created} invoice draft(s) for last month.`);
      const reports = await sendMonthlyClientReports(db, {
        now: now(),
        renderPdf: renderMonthlyReportPdf,
        notifier,
        publicUrl,
        onError: (error, agencyId) => logger.error({ err: error, agencyId }, "monthly client reports failed"),
        onEmailError: (error, notice) =>
          logger.error({ err: error, to: notice.kind === "email" ? notice.to : [] }, "monthly report e-mail failed"),
      });
      if (reports.length > 0) logger.info({ sent: reports.length }, `Sent ${reports.length} monthly client report(s).`);
    },
    onError: (error) => logger.error({ err: error }, "monthly invoice drafts failed"),
  });
  return startWorker(poller, 3 * intervalMs);
}
