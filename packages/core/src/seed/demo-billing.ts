/**
 * Demo billing for Northwind's clients: a contract each (EUR, USD, EUR) with credit tiers (their business hours,
 * for the out-of-hours surcharge, are demo-playbooks' `seedDemoBusinessHours`), a few escalations among last month's items (the worked history
 * of demo-staffing, with its stopped SLA clocks, some breached), then last month's drafts — so
 * `am@northwind.test` opens real drafts, at least one with a service credit.
 */
import type { ContractTermsInput } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { saveContract } from "../billing/contracts";
import { createInvoiceDrafts } from "../billing/draft-invoices";
import type { Scope } from "../kernel/scope";
import { monthlyPeriod, previousMonth } from "../sla/period-aggregates";
import type { DemoHistory } from "./demo-staffing";

interface DemoBillingPlan {
  terms: Omit<ContractTermsInput, "validFrom">;
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
    escalations: 9,
  },
};

/**
 * Each Northwind client's contract, from 2025-01-01: seeded before the history, so the history's clocks start on it
 * as every item's do (ingest's `clockTermsAt`).
 */
export async function seedDemoContracts(
  scope: Scope,
  tx: Executor,
  input: { clients: ReadonlyArray<{ id: string; name: string }> },
): Promise<void> {
  for (const client of input.clients) {
    const plan = plans[client.name];
    if (plan) await saveContract(scope, tx, { clientId: client.id, terms: { ...plan.terms, validFrom: "2025-01-01" } });
  }
}

/** Seeds a few of last month's escalations, then drafts, in the agency's tenant transaction. */
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
  await createInvoiceDrafts(scope, tx, { period }, { now: () => input.now });
}
