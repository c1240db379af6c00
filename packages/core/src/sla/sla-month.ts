/**
 * A client's month of SLA results as it stands: per priority × metric, the clocks decided so far and how many met
 * their target, against the compliance target of the contract in force. The same aggregate and rules as the
 * month's invoice (`aggregateSlaOutcomes`, see period-aggregates), so what a stakeholder watches during the month is
 * what the invoice will say.
 */

import { uuid } from "@parley/contracts";
import {
  type ContractTermsInput,
  contractForPeriod,
  type SlaMetric,
  type SlaPriority,
  slaMetrics,
  slaPriorities,
} from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import { aggregateSlaOutcomes, billingPeriod, localDateOf, monthlyPeriod } from "./period-aggregates";

const { contracts } = schema;

export const slaMonthInput = z.object({ clientId: uuid, month: billingPeriod.optional() });
export type SlaMonthInput = z.infer<typeof slaMonthInput>;

export interface SlaMonthTarget {
  priority: SlaPriority;
  metric: SlaMetric;
  /** Clocks stopped, or past due at `asOf`: the ones the month is judged on so far. */
  decided: number;
  met: number;
  /** Clocks still running within their target (or paused): not judged yet. */
  pending: number;
  /** `met / decided` in percent, or null when nothing is decided yet. */
  attainmentPercent: number | null;
  /** The contract's compliance target and its minutes, or null when the contract sets none for this pair. */
  targetPercent: number | null;
  targetMinutes: number | null;
}

export interface SlaMonthView {
  clientId: string;
  clientName: string;
  /** "YYYY-MM", a month of the client's local dates. */
  month: string;
  timeZone: string;
  asOf: Date;
  /** Whether a contract is in force on the month's first day (its targets are the ones shown). */
  contractInForce: boolean;
  /** Every pair with clocks or a target, P1…P4, first response before resolution. */
  targets: SlaMonthTarget[];
}

/**
 * The month of `clientId` (default: the current month in the client's time zone), within the caller's scope
 * (a member's, or an API key's: agency and clients only).
 */
export async function getSlaMonth(
  scope: Pick<Scope, "agencyId" | "clientIds">,
  tx: Executor,
  input: SlaMonthInput,
  deps: { now?: Clock } = {},
): Promise<SlaMonthView> {
  const { clientId, month: asked } = slaMonthInput.parse(input);
  const client = await getClient(scope, tx, clientId);
  const asOf = (deps.now ?? systemClock)();
  const month = asked ?? localDateOf(asOf, client.timeZone).slice(0, 7);
  const period = monthlyPeriod(month, client.timeZone);
  const contract = contractForPeriod(
    await tx
      .select()
      .from(contracts)
      .where(and(eq(contracts.agencyId, scope.agencyId), eq(contracts.clientId, client.id))),
    period.periodStart,
  );
  const terms = contract ? (contract.terms as ContractTermsInput) : null;
  const outcomes = await aggregateSlaOutcomes(scope, tx, {
    clients: [{ clientId: client.id, period, excludeClientSideTime: terms?.excludeClientSideTime ?? true }],
    asOf,
  });
  const byPair = new Map<string, SlaMonthTarget>();
  const pairKey = (priority: string, metric: string) => `${priority} ${metric}`;
  for (const target of terms?.slaTargets ?? []) {
    byPair.set(pairKey(target.priority, target.metric), {
      priority: target.priority,
      metric: target.metric,
      decided: 0,
      met: 0,
      pending: 0,
      attainmentPercent: null,
      targetPercent: target.complianceTargetPercent,
      targetMinutes: target.minutes,
    });
  }
  for (const outcome of outcomes.get(client.id) ?? []) {
    const key = pairKey(outcome.priority, outcome.metric);
    const target = byPair.get(key);
    byPair.set(key, {
      priority: outcome.priority,
      metric: outcome.metric,
      decided: outcome.total,
      met: outcome.met,
      pending: outcome.pending,
      attainmentPercent: outcome.total > 0 ? (outcome.met / outcome.total) * 100 : null,
      targetPercent: target?.targetPercent ?? null,
      targetMinutes: target?.targetMinutes ?? null,
    });
  }
  const rank = (target: SlaMonthTarget) =>
    slaPriorities.indexOf(target.priority) * slaMetrics.length + slaMetrics.indexOf(target.metric);
  return {
    clientId: client.id,
    clientName: client.name,
    month,
    timeZone: client.timeZone,
    asOf,
    contractInForce: contract !== null,
    targets: [...byPair.values()].sort((x, y) => rank(x) - rank(y)),
  };
}
