import type { DraftOutcome, DueMonthlyInvoiceRun, MonthlyRunResult } from "@parley/core/billing";
import { type Clock, systemClock } from "@parley/core/kernel";
import type { MonthlyReportSent } from "@parley/core/reports";
import type { ParleyInngest } from "./client";

export const MONTHLY_INVOICES_FUNCTION_ID = "monthly-invoice-drafts";

/**
 * Every hour, on the hour (UTC). Agencies live in many zones — some with :30 and :45 offsets — and
 * new ones appear at runtime, while an Inngest function's cron is fixed when the app syncs; so the
 * cron only wakes the run and core decides which agencies' 1st, 06:00 has come
 * (`findDueMonthlyInvoiceRuns`), the same decision the embedded scheduler takes.
 */
export const MONTHLY_INVOICES_CRON = "TZ=UTC 0 * * * *";

/** The steps of a run, bound to the database by apps/api (core's functions of the same names). */
export interface MonthlyInvoiceRuns {
  findDueMonthlyInvoiceRuns(input: { now: Date }): Promise<DueMonthlyInvoiceRun[]>;
  createMonthlyInvoiceDrafts(input: { agencyId: string; period: string; asOf: Date }): Promise<DraftOutcome[]>;
  /** Last month's client reports to the stakeholders (once per client and month; core decides who is due). */
  sendMonthlyClientReports(input: { now: Date }): Promise<MonthlyReportSent[]>;
}

export interface CreateMonthlyInvoicesFunctionOptions {
  inngest: ParleyInngest;
  runs: MonthlyInvoiceRuns;
  now?: Clock;
}

/** What a run reports per agency (the step output stays small: no invoice bodies). */
export interface MonthlyRunSummary {
  agencyId: string;
  period: string;
  outcomes: Array<{ clientId: string; status: DraftOutcome["status"]; reason?: string; invoiceId?: string }>;
}

function summarize(result: MonthlyRunResult): MonthlyRunSummary {
  return {
    agencyId: result.agencyId,
    period: result.period,
    outcomes: result.outcomes.map((outcome) =>
      outcome.status === "skipped"
        ? { clientId: outcome.clientId, status: outcome.status, reason: outcome.reason }
        : { clientId: outcome.clientId, status: outcome.status, invoiceId: outcome.invoice.id },
    ),
  };
}

/**
 * Last month's invoice drafts, for every agency whose 1st, 06:00 has come in its own zone, with a
 * notice to the account managers, then last month's client reports to the stakeholders. One step finds the due agencies (memoized with the instant it
 * read, so a replay decides the same), then one step per agency and month creates the drafts — a
 * failing agency is retried alone. Idempotent end to end: core creates only missing drafts, so
 * Inngest's retries, an overlapping embedded scheduler and a rerun never duplicate anything; a run
 * still going when the next hour fires makes that one skip (`singleton`).
 */
export function createMonthlyInvoicesFunction({
  inngest,
  runs,
  now = systemClock,
}: CreateMonthlyInvoicesFunctionOptions) {
  return inngest.createFunction(
    {
      id: MONTHLY_INVOICES_FUNCTION_ID,
      name: "Monthly invoice drafts",
      triggers: [{ cron: MONTHLY_INVOICES_CRON }],
      singleton: { mode: "skip" },
    },
    async ({ step }) => {
      const { at, due } = await step.run("find-due-agencies", async () => {
        const instant = now();
        return { at: instant.toISOString(), due: await runs.findDueMonthlyInvoiceRuns({ now: instant }) };
      });
      const results: MonthlyRunSummary[] = [];
      for (const run of due) {
        results.push(
          await step.run(`create-drafts-${run.agencyId}-${run.period}`, async () =>
            summarize({
              agencyId: run.agencyId,
              period: run.period,
              outcomes: await runs.createMonthlyInvoiceDrafts({
                agencyId: run.agencyId,
                period: run.period,
                asOf: new Date(at),
              }),
            }),
          ),
        );
      }
      // The same run sends last month's client reports (due on their own: a client may have no draft to make).
      await step.run("send-monthly-client-reports", async () => {
        const sent = await runs.sendMonthlyClientReports({ now: new Date(at) });
        return sent.length;
      });
      return results;
    },
  );
}
