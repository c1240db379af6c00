import { InngestTestEngine } from "@inngest/test";
import { describe, expect, it } from "vitest";
import { createInngestClient } from "./client";
import { createMonthlyInvoicesFunction, monthlyInvoicesCron } from "./monthly-invoices.function";

describe("monthly invoices function (Inngest, @inngest/test)", () => {
  it("fires at 06:00 on the 1st in the zone and runs the drafts of that zone once, as a step", async () => {
    expect(monthlyInvoicesCron("Europe/London")).toBe("TZ=Europe/London 0 6 1 * *");
    const calls: Array<{ timeZone: string; now: Date }> = [];
    const now = new Date("2026-10-01T05:00:00Z");
    const fn = createMonthlyInvoicesFunction({
      inngest: createInngestClient({ isDev: true }),
      timeZone: "Europe/London",
      run: async (input) => {
        calls.push(input);
        return [{ agencyId: "agency", period: "2026-09", created: 3 }];
      },
      now: () => now,
    });
    expect(fn.id()).toBe("monthly-invoice-drafts-europe-london");
    const { result } = await new InngestTestEngine({ function: fn }).execute({
      events: [{ name: "inngest/scheduled.timer", data: { cron: monthlyInvoicesCron("Europe/London") } }],
    });
    expect(result).toEqual([{ agencyId: "agency", period: "2026-09", created: 3 }]);
    expect(calls).toEqual([{ timeZone: "Europe/London", now }]);
  });
});
