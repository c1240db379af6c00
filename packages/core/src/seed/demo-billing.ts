/**
 * Demo billing for Northwind's clients: a contract each (EUR, USD, EUR) with credit tiers, business
 * hours for the out-of-hours surcharge, a few escalations among last month's items (the worked history
 * of demo-staffing, with its stopped SLA clocks, some breached), then last month's drafts — so
 * `am@northwind.test` opens real drafts, at least one with a service credit.
 */
import type { ContractTermsInput } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { eq } from "drizzle-orm";
import { saveContract } from "../billing/contracts";
import { createInvoiceDrafts } from "../billing/draft-invoices";
import type { Scope } from "../kernel/scope";
import type { BusinessCalendar } from "../sla/business-calendar";
import { monthlyPeriod, previousMonth } from "../sla/period-aggregates";
import type { DemoHistory } from "./demo-staffing";

interface DemoBillingPlan {
  terms: Omit<ContractTermsInput, "validFrom">;
  /** Working hours; null = the contract covers every hour. */
  hours: [string, string] | null;
  escalations: number;
}

const creditTiers = [
  { fromPercent: 90, toPercent: 95, creditPercent: 5 },
  { fromPercent: 0, toPercent: 90, creditPercent: 10 },
];

function targets(p1: number, p2: number, p3: number): ContractTermsInput["slaTargets"] {
  return [
    { priority: "P1", metric: "first_response", minutes: p1, calendar: "24x7", complianceTargetPercent: 95 },
    { priority: "P2", metric: "first_response", minutes: p2, calendar: "24x7", complianceTargetPercent: 95 },
    { priority: "P3", metric: "first_response", minutes: p3, calendar: "24x7", complianceTargetPercent: 90 },
  ];
}

const plans: Record<string, DemoBillingPlan> = {
  "Hexfall Games": {
    terms: {
      currency: "EUR",
      retainerMinor: 450_000,
      includedItems: 900,
      overageTiers: [
        { upTo: 200, unitPriceMinor: 40 },
        { upTo: null, unitPriceMinor: 30 },
      ],
      escalationFeeMinor: 1_500,
      outOfHoursSurchargeMinor: 25,
      slaTargets: targets(15, 60, 240),
      creditTiers,
      creditCapPercent: 15,
      excludeClientSideTime: true,
    },
    hours: ["08:00", "20:00"],
    escalations: 14,
  },
  Brightmart: {
    terms: {
      currency: "USD",
      retainerMinor: 320_000,
      includedItems: 1_000,
      overageTiers: [{ upTo: null, unitPriceMinor: 35 }],
      escalationFeeMinor: 2_000,
      outOfHoursSurchargeMinor: 0,
      slaTargets: targets(30, 120, 480),
      creditTiers,
      creditCapPercent: 10,
      excludeClientSideTime: true,
    },
    hours: null,
    escalations: 6,
  },
  "Cobalt Bank": {
    terms: {
      currency: "EUR",
      retainerMinor: 680_000,
      includedItems: 800,
      overageTiers: [{ upTo: null, unitPriceMinor: 55 }],
      escalationFeeMinor: 4_500,
      outOfHoursSurchargeMinor: 60,
      slaTargets: targets(10, 30, 120),
      creditTiers,
      creditCapPercent: 20,
      excludeClientSideTime: true,
      // A bank pays on its own schedule: longer terms than the 30-day default.
      paymentTermsDays: 45,
    },
    hours: ["09:00", "18:00"],
    escalations: 9,
  },
};

function weekdayHours(timeZone: string, [open, close]: [string, string]): BusinessCalendar {
  const span: [string, string][] = [[open, close]];
  return { timeZone, weekly: { mon: span, tue: span, wed: span, thu: span, fri: span } };
}

/** Seeds contracts, business hours and a few of last month's escalations, then drafts, in the agency's tenant transaction. */
export async function seedDemoBilling(
  scope: Scope,
  tx: Executor,
  input: {
    clients: ReadonlyArray<{ id: string; name: string; timeZone: string }>;
    history: DemoHistory;
    agencyTimeZone: string;
    now: Date;
  },
): Promise<void> {
  const period = previousMonth(input.now, input.agencyTimeZone);
  for (const client of input.clients) {
    const plan = plans[client.name];
    if (!plan) continue;
    await saveContract(scope, tx, { clientId: client.id, terms: { ...plan.terms, validFrom: "2025-01-01" } });
    if (plan.hours) {
      await tx
        .update(schema.clients)
        .set({ businessCalendar: weekdayHours(client.timeZone, plan.hours) })
        .where(eq(schema.clients.id, client.id));
    }
    const { from, to } = monthlyPeriod(period, client.timeZone);
    const lastMonth = (input.history.get(client.id) ?? []).filter(
      (item) => item.receivedAt >= from && item.receivedAt < to,
    );
    if (lastMonth.length === 0) continue;
    await tx.insert(schema.escalations).values(
      lastMonth.slice(0, plan.escalations).map((item) => ({
        agencyId: scope.agencyId,
        clientId: client.id,
        itemId: item.id,
        status: "resolved" as const,
        packet: { demo: true },
        createdAt: item.receivedAt,
        resolvedAt: item.receivedAt,
      })),
    );
  }
  await createInvoiceDrafts(scope, tx, { period, asOf: input.now });
}
