import { InngestTestEngine } from "@inngest/test";
import type { DraftOutcome, DueMonthlyInvoiceRun } from "@parley/core/billing";
import { describe, expect, it } from "vitest";
import { createInngestClient } from "./client";
import {
  createMonthlyInvoicesFunction,
  MONTHLY_INVOICES_CRON,
  MONTHLY_INVOICES_FUNCTION_ID,
  type MonthlyInvoiceRuns,
} from "./monthly-invoices.function";
import { at, createFakeClock } from "./testing/fixtures";

const cronEvent = { name: "inngest/scheduled.timer", data: { cron: MONTHLY_INVOICES_CRON } };

/** Records what the function asks core, and answers with the given due runs. */
function recordingRuns(due: DueMonthlyInvoiceRun[]) {
  const calls = {
    find: [] as string[],
    create: [] as Array<{ agencyId: string; period: string; asOf: string }>,
    reports: [] as string[],
  };
  const runs: MonthlyInvoiceRuns = {
    async findDueMonthlyInvoiceRuns({ now }) {
      calls.find.push(now.toISOString());
      return due;
    },
    async createMonthlyInvoiceDrafts({ agencyId, period, asOf }) {
      calls.create.push({ agencyId, period, asOf: asOf.toISOString() });
      const outcomes: DraftOutcome[] = [
        {
          clientId: `${agencyId}-client`,
          clientName: "Hexfall Games",
          status: "created",
          invoice: { id: `${agencyId}-invoice` } as Extract<DraftOutcome, { status: "created" }>["invoice"],
        },
        { clientId: `${agencyId}-other`, clientName: "Other", status: "skipped", reason: "no_contract", message: "" },
      ];
      return outcomes;
    },
    async sendMonthlyClientReports({ now }) {
      calls.reports.push(now.toISOString());
      return [];
    },
  };
  return { runs, calls };
}

describe("monthly invoices function (Inngest, @inngest/test)", () => {
  it("wakes hourly and leaves the choice of agencies to core", () => {
    const { runs } = recordingRuns([]);
    const fn = createMonthlyInvoicesFunction({ inngest: createInngestClient({ isDev: true }), runs });
    expect(fn.id()).toBe(MONTHLY_INVOICES_FUNCTION_ID);
    expect(MONTHLY_INVOICES_CRON).toBe("TZ=UTC 0 * * * *");
  });

  it("finds the due agencies once, then drafts each in its own step as of the instant it found them", async () => {
    const due: DueMonthlyInvoiceRun[] = [
      { agencyId: "london", timeZone: "Europe/London", period: "2026-09", clientIds: ["london-client"] },
      { agencyId: "tokyo", timeZone: "Asia/Tokyo", period: "2026-09", clientIds: ["tokyo-client"] },
    ];
    const { runs, calls } = recordingRuns(due);
    // The clock moves while the run goes on; the drafts still use the instant the due agencies were found at.
    const clock = createFakeClock(at("2026-10-01T05:00:00Z"));
    const fn = createMonthlyInvoicesFunction({
      inngest: createInngestClient({ isDev: true }),
      runs,
      now: () => {
        const now = clock.now();
        clock.set(new Date(now.getTime() + 60_000));
        return now;
      },
    });
    const { result, ctx } = await new InngestTestEngine({ function: fn }).execute({ events: [cronEvent] });

    expect(calls.find).toEqual(["2026-10-01T05:00:00.000Z"]);
    expect(calls.create).toEqual([
      { agencyId: "london", period: "2026-09", asOf: "2026-10-01T05:00:00.000Z" },
      { agencyId: "tokyo", period: "2026-09", asOf: "2026-10-01T05:00:00.000Z" },
    ]);
    expect(ctx.step.run.mock.calls.map(([id]) => id)).toEqual([
      "find-due-agencies",
      "create-drafts-london-2026-09",
      "create-drafts-tokyo-2026-09",
      "send-monthly-client-reports",
    ]);
    expect(calls.reports).toEqual(["2026-10-01T05:00:00.000Z"]);
    expect(result).toEqual([
      {
        agencyId: "london",
        period: "2026-09",
        outcomes: [
          { clientId: "london-client", status: "created", invoiceId: "london-invoice" },
          { clientId: "london-other", status: "skipped", reason: "no_contract" },
        ],
      },
      {
        agencyId: "tokyo",
        period: "2026-09",
        outcomes: [
          { clientId: "tokyo-client", status: "created", invoiceId: "tokyo-invoice" },
          { clientId: "tokyo-other", status: "skipped", reason: "no_contract" },
        ],
      },
    ]);
  });

  it("only looks for client reports due in an hour when no agency's drafts are due", async () => {
    const { runs, calls } = recordingRuns([]);
    const fn = createMonthlyInvoicesFunction({
      inngest: createInngestClient({ isDev: true }),
      runs,
      now: () => at("2026-10-14T09:00:00Z"),
    });
    const { result, ctx } = await new InngestTestEngine({ function: fn }).execute({ events: [cronEvent] });
    expect(result).toEqual([]);
    expect(calls.create).toEqual([]);
    expect(ctx.step.run.mock.calls.map(([id]) => id)).toEqual(["find-due-agencies", "send-monthly-client-reports"]);
    expect(calls.reports).toEqual(["2026-10-14T09:00:00.000Z"]);
  });
});
