/**
 * The agency's default SLA policy: the clock targets of clients without a contract in force, stored on the agency
 * (`agencies.sla_policy`, seeded by the column's default) and edited by an owner or admin. Clocks started on it say
 * "agency default (no contract)". Running clocks keep their targets when it changes; new items use the new ones.
 */
import { AppError, badInput } from "@parley/contracts";
import { agencyDefaultLabel, type ClockTarget, type SlaPolicyInput, slaPolicyInput } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { eq } from "drizzle-orm";
import { assertAllowed } from "../kernel/permissions";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";

const { agencies } = schema;

export interface SlaPolicyView {
  label: string;
  targets: ClockTarget[];
}

export async function getSlaPolicy(scope: Scope, tx: Executor): Promise<SlaPolicyView> {
  const [row] = await tx
    .select({ slaPolicy: agencies.slaPolicy })
    .from(agencies)
    .where(eq(agencies.id, scope.agencyId));
  if (!row) throw new AppError("NOT_FOUND", "Agency not found", { reason: "agency_not_found" });
  return { label: agencyDefaultLabel, targets: row.slaPolicy as ClockTarget[] };
}

export async function saveSlaPolicy(scope: Scope, tx: Executor, rawInput: unknown): Promise<SlaPolicyView> {
  assertAllowed(scope, "administer");
  const parsed = slaPolicyInput.safeParse(rawInput);
  if (!parsed.success) throw badInput(parsed.error.issues);
  const input: SlaPolicyInput = parsed.data;
  const before = await getSlaPolicy(scope, tx);
  await tx
    .update(agencies)
    .set({ slaPolicy: input.targets, updatedAt: new Date() })
    .where(eq(agencies.id, scope.agencyId));
  await recordAudit(tx, scope, {
    action: "agency.sla_policy_changed",
    subjectType: "agency",
    subjectId: scope.agencyId,
    before: before.targets,
    after: input.targets,
  });
  return { label: agencyDefaultLabel, targets: input.targets };
}
