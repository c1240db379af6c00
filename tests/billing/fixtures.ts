import { randomUUID } from "node:crypto";
import type { ContractTermsInput } from "@parley/contracts/billing";
import { makeContractTerms } from "@parley/contracts/billing/contract-terms.fixture";
import { resolveScope } from "@parley/core/agencies";
import { saveContract } from "@parley/core/billing";
import type { Scope } from "@parley/core/kernel";
import { ALWAYS_OPEN } from "@parley/core/sla";
import { type Database, schema, withTenant } from "@parley/db";
import { makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { signInAs, type TestApp } from "../support/http";

const minute = 60_000;

export interface ClockPlan {
  metric?: "first_response" | "resolution";
  targetMinutes?: number;
  /** Minutes from receipt to stop; null = still running. */
  stoppedAfter: number | null;
  /** Client-side (paused) minutes; the due time moves by as much (24×7 calendar). */
  clientSideMinutes?: number;
}

export interface ItemPlan {
  receivedAt: string | Date;
  priority?: "P1" | "P2" | "P3" | "P4";
  clocks?: ClockPlan[];
}

/** Items with their SLA clocks, inserted as the owner (the tests' setup, not the code under test). */
export async function insertItems(
  db: Database,
  target: { agency: TestAgency; clientId: string },
  plans: readonly ItemPlan[],
): Promise<string[]> {
  const { agency, clientId } = target;
  const channel = agency.channels.find((c) => c.clientId === clientId);
  if (!channel) throw new Error("no channel for client");
  const itemRows = plans.map((plan) => {
    const receivedAt = new Date(plan.receivedAt);
    return {
      id: randomUUID(),
      agencyId: agency.agency.id,
      clientId,
      channelId: channel.id,
      externalId: randomUUID(),
      kind: "comment" as const,
      authorExternalId: "author-1",
      authorHandle: "@someone",
      body: "Where is my order?",
      createdAt: receivedAt,
      receivedAt,
      priority: plan.priority ?? "P1",
    };
  });
  const clockRows = plans.flatMap((plan, index) => {
    const item = itemRows[index]!;
    return (plan.clocks ?? []).map((clock) => {
      const target = clock.targetMinutes ?? 60;
      const clientSide = clock.clientSideMinutes ?? 0;
      const started = item.receivedAt.getTime();
      const dueAt = new Date(started + (target + clientSide) * minute);
      const stoppedAt = clock.stoppedAfter === null ? null : new Date(started + clock.stoppedAfter * minute);
      return {
        agencyId: agency.agency.id,
        clientId,
        itemId: item.id,
        metric: clock.metric ?? "first_response",
        priority: item.priority,
        targetMinutes: target,
        calendar: ALWAYS_OPEN,
        startedAt: item.receivedAt,
        dueAt,
        atRiskAt: new Date(started + target * 0.8 * minute),
        clientSideMs: clientSide * minute,
        stoppedAt,
        met: stoppedAt ? stoppedAt <= dueAt : null,
      };
    });
  });
  for (let i = 0; i < itemRows.length; i += 1000) await db.insert(schema.items).values(itemRows.slice(i, i + 1000));
  for (let i = 0; i < clockRows.length; i += 1000)
    await db.insert(schema.slaClocks).values(clockRows.slice(i, i + 1000));
  return itemRows.map((row) => row.id);
}

export async function scopeOf(db: Database, agency: TestAgency, user: { id: string }): Promise<Scope> {
  const scope = await resolveScope(db, { userId: user.id, agencyId: agency.agency.id });
  if (!scope) throw new Error("no scope");
  return scope;
}

/** The agency "Northwind Social", its account manager signed in to `app`, and the account manager's scope. */
export async function makeNorthwind(
  db: TestDatabase,
  app: TestApp,
): Promise<{ agency: TestAgency; am: string; amScope: Scope }> {
  const agency = await makeAgency(db.owner, { name: "Northwind Social" });
  return {
    agency,
    am: await signInAs(app, agency.users.accountManager.email),
    amScope: await scopeOf(db.app, agency, agency.users.accountManager),
  };
}

/** The shared test contract as these suites bill it: from 2026, a 4,500.00 retainer, one P1 first-response target. */
export function contractTerms(overrides: Partial<ContractTermsInput> = {}): ContractTermsInput {
  return makeContractTerms({
    validFrom: "2026-01-01",
    retainerMinor: 450_000,
    outOfHoursSurchargeMinor: 25,
    slaTargets: [
      { priority: "P1", metric: "first_response", minutes: 60, calendar: "24x7", complianceTargetPercent: 95 },
    ],
    creditCapPercent: 15,
    ...overrides,
  });
}

export async function saveTerms(db: Database, scope: Scope, clientId: string, terms: ContractTermsInput) {
  return withTenant(db, { agencyId: scope.agencyId, clientIds: scope.clientIds }, (tx) =>
    saveContract(scope, tx, { clientId, terms }),
  );
}

/** `count` P1 first-response clocks received on `day` (UTC, from noon), `met` of them on time. */
export function clocksOn(day: string, count: number, met: number): ItemPlan[] {
  return Array.from({ length: count }, (_, index) => ({
    receivedAt: new Date(Date.parse(`${day}T12:00:00Z`) + index * minute),
    clocks: [{ stoppedAfter: index < met ? 30 : 90 }],
  }));
}
