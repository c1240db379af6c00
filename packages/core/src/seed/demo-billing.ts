/**
 * Demo billing for Northwind's clients: a contract each (EUR, USD, EUR) with credit tiers, business
 * hours for the out-of-hours surcharge, last month's items with stopped SLA clocks (some breached)
 * and a few escalations, then last month's drafts — so `am@northwind.test` opens real drafts, at
 * least one with a service credit. Deterministic (a seeded generator) and fast: a few thousand rows
 * in multi-row inserts.
 */
import type { ContractTermsInput } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { eq } from "drizzle-orm";
import type { Scope } from "../agencies/scope";
import { saveContract } from "../billing/contracts";
import { monthlyPeriod, previousMonth } from "../billing/invoice-drafts";
import { createInvoiceDrafts } from "../billing/invoices";
import { ALWAYS_OPEN, type BusinessCalendar } from "../sla";

interface DemoBillingPlan {
  terms: Omit<ContractTermsInput, "validFrom">;
  /** Working hours; null = the contract covers every hour. */
  hours: [string, string] | null;
  items: number;
  /** Share of first responses that are late, per priority. */
  lateShare: Record<"P1" | "P2" | "P3", number>;
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
    items: 1_200,
    lateShare: { P1: 0.12, P2: 0.04, P3: 0.05 },
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
    items: 700,
    lateShare: { P1: 0.02, P2: 0.03, P3: 0.04 },
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
    items: 900,
    lateShare: { P1: 0.07, P2: 0.05, P3: 0.03 },
    escalations: 9,
  },
};

/** Mulberry32: the same demo every time. */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function weekdayHours(timeZone: string, [open, close]: [string, string]): BusinessCalendar {
  const span: [string, string][] = [[open, close]];
  return { timeZone, weekly: { mon: span, tue: span, wed: span, thu: span, fri: span } };
}

async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
}

/** Seeds contracts, last month's items, clocks and escalations, and drafts, in the agency's tenant transaction. */
export async function seedDemoBilling(
  scope: Scope,
  tx: Executor,
  input: {
    clients: ReadonlyArray<{ id: string; name: string; timeZone: string }>;
    channels: ReadonlyArray<{ id: string; clientId: string }>;
    agencyTimeZone: string;
    now: Date;
  },
): Promise<void> {
  const period = previousMonth(input.now, input.agencyTimeZone);
  const random = createRandom(20_260_101);
  for (const client of input.clients) {
    const plan = plans[client.name];
    const channelIds = input.channels.filter((c) => c.clientId === client.id).map((c) => c.id);
    if (!plan || channelIds.length === 0) continue;
    await saveContract(scope, tx, { clientId: client.id, terms: { ...plan.terms, validFrom: "2025-01-01" } });
    if (plan.hours) {
      await tx
        .update(schema.clients)
        .set({ businessCalendar: weekdayHours(client.timeZone, plan.hours) })
        .where(eq(schema.clients.id, client.id));
    }
    const { from, to } = monthlyPeriod(period, client.timeZone);
    const span = to.getTime() - from.getTime();
    const items: Array<typeof schema.items.$inferInsert> = [];
    const clocks: Array<typeof schema.slaClocks.$inferInsert> = [];
    for (let index = 0; index < plan.items; index++) {
      const receivedAt = new Date(from.getTime() + Math.floor(random() * span));
      const roll = random();
      const priority = roll < 0.15 ? "P1" : roll < 0.5 ? "P2" : "P3";
      const target = plan.terms.slaTargets.find((t) => t.priority === priority)?.minutes ?? 60;
      const late = random() < plan.lateShare[priority];
      const minutes = late ? target * (1.1 + random()) : target * (0.1 + 0.85 * random());
      const stoppedAt = new Date(receivedAt.getTime() + Math.round(minutes * 60_000));
      const dueAt = new Date(receivedAt.getTime() + target * 60_000);
      const id = crypto.randomUUID();
      items.push({
        id,
        agencyId: scope.agencyId,
        clientId: client.id,
        channelId: channelIds[index % channelIds.length]!,
        externalId: `demo-billing-${client.id.slice(0, 8)}-${index}`,
        kind: "comment",
        authorExternalId: `fan-${index % 97}`,
        authorHandle: `@fan${index % 97}`,
        body: `Demo message ${index + 1} for ${client.name}`,
        createdAt: receivedAt,
        receivedAt,
        status: "responded",
        priority,
      });
      clocks.push({
        agencyId: scope.agencyId,
        clientId: client.id,
        itemId: id,
        metric: "first_response",
        priority,
        targetMinutes: target,
        calendar: ALWAYS_OPEN,
        startedAt: receivedAt,
        dueAt,
        atRiskAt: new Date(receivedAt.getTime() + target * 48_000),
        stoppedAt,
        breachedAt: late ? dueAt : null,
        met: !late,
      });
    }
    await insertInChunks(items, (chunk) => tx.insert(schema.items).values(chunk));
    await insertInChunks(clocks, (chunk) => tx.insert(schema.slaClocks).values(chunk));
    await tx.insert(schema.escalations).values(
      items.slice(0, plan.escalations).map((item) => ({
        agencyId: scope.agencyId,
        clientId: client.id,
        itemId: item.id!,
        status: "resolved" as const,
        packet: { demo: true },
        createdAt: item.receivedAt,
        resolvedAt: item.receivedAt,
      })),
    );
  }
  await createInvoiceDrafts(scope, tx, { period, asOf: input.now });
}
