import { AppError } from "@parley/contracts";
import { type ContractTermsInput, findOverlappingContract, parseContractTerms } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { contractInForceOn } from "../sla/clock-terms";
import { localWallTime } from "../sla/zone-offsets";

const { contracts } = schema;
type ContractRow = typeof contracts.$inferSelect;

export interface ContractView {
  id: string;
  clientId: string;
  validFrom: string;
  validTo: string | null;
  currency: string;
  terms: ContractTermsInput;
  createdAt: Date;
  updatedAt: Date;
}

function toContractView(row: ContractRow): ContractView {
  return {
    id: row.id,
    clientId: row.clientId,
    validFrom: row.validFrom,
    validTo: row.validTo,
    currency: row.currency,
    terms: row.terms as ContractTermsInput,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function listContracts(scope: Scope, tx: Executor, input: { clientId: string }): Promise<ContractView[]> {
  await getClient(scope, tx, input.clientId);
  const rows = await tx
    .select()
    .from(contracts)
    .where(and(eq(contracts.agencyId, scope.agencyId), eq(contracts.clientId, input.clientId)))
    .orderBy(asc(contracts.validFrom));
  return rows.map(toContractView);
}

/**
 * Creates a contract, or replaces the terms of `contractId`. Periods of one client never overlap:
 * the client row is locked so two saves cannot both pass the check.
 */
export async function saveContract(
  scope: Scope,
  tx: Executor,
  input: { clientId: string; contractId?: string; terms: unknown },
): Promise<ContractView> {
  const terms = parseContractTerms(input.terms);
  const client = await getClient(scope, tx, input.clientId);
  await tx.execute(sql`select 1 from clients where id = ${client.id} for update`);
  const others = await tx
    .select()
    .from(contracts)
    .where(
      and(
        eq(contracts.agencyId, scope.agencyId),
        eq(contracts.clientId, client.id),
        input.contractId ? ne(contracts.id, input.contractId) : undefined,
      ),
    );
  const overlapping = findOverlappingContract(others, terms);
  if (overlapping) {
    const until = overlapping.validTo ? `until ${overlapping.validTo}` : "open-ended";
    throw new AppError("CONFLICT", `Overlaps the contract from ${overlapping.validFrom} (${until})`, {
      reason: "overlapping_contract",
      contractId: overlapping.id,
      fields: { validFrom: `overlaps the contract from ${overlapping.validFrom} (${until})` },
    });
  }
  const values = { validFrom: terms.validFrom, validTo: terms.validTo ?? null, currency: terms.currency, terms };
  let row: ContractRow | undefined;
  let before: ContractRow | undefined;
  if (input.contractId) {
    [before] = await tx
      .select()
      .from(contracts)
      .where(and(eq(contracts.id, input.contractId), eq(contracts.clientId, client.id)));
    if (!before) throw new AppError("NOT_FOUND", "Contract not found", { reason: "contract_not_found" });
    [row] = await tx
      .update(contracts)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(contracts.id, before.id))
      .returning();
  } else {
    [row] = await tx
      .insert(contracts)
      .values({ ...values, agencyId: scope.agencyId, clientId: client.id, createdBy: scope.actorId })
      .returning();
  }
  if (!row) throw new AppError("INTERNAL", "Contract was not saved");
  await recordAudit(tx, scope, {
    action: input.contractId ? "contract.updated" : "contract.created",
    subjectType: "contract",
    subjectId: row.id,
    clientId: client.id,
    before: before ?? null,
    after: row,
  });
  return toContractView(row);
}

/** `GET /v1/clients/{clientId}/contract`: the contract in force at an instant, with the SLA targets its clocks use. */
export const contractInForceView = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    validFrom: z.string().describe("the client's local date it applies from"),
    validTo: z.string().nullable().describe("exclusive; null = open-ended"),
    currency: z.string(),
    timeZone: z.string().describe("the client's zone, in which the dates are read"),
    slaTargets: z.array(
      z.object({
        priority: z.enum(["P1", "P2", "P3", "P4"]),
        metric: z.enum(["first_response", "resolution"]),
        minutes: z.int(),
        calendar: z.enum(["24x7", "business_hours"]),
        complianceTargetPercent: z.number(),
      }),
    ),
  })
  .meta({ ref: "ContractInForce" });
export type ContractInForceView = z.infer<typeof contractInForceView>;

/** The client's contract in force at `at` (its local date then); NOT_FOUND when none is. */
export async function getContractInForce(
  scope: Pick<Scope, "agencyId" | "clientIds">,
  tx: Executor,
  input: { clientId: string; at: Date },
): Promise<ContractInForceView> {
  const client = await getClient(scope, tx, input.clientId);
  const rows = await tx
    .select()
    .from(contracts)
    .where(and(eq(contracts.agencyId, scope.agencyId), eq(contracts.clientId, client.id)));
  const localDay = localWallTime(input.at.getTime(), client.timeZone).date;
  const row = contractInForceOn(rows, localDay);
  if (!row) {
    throw new AppError("NOT_FOUND", `No contract is in force for this client on ${localDay} (${client.timeZone})`, {
      reason: "no_contract_in_force",
    });
  }
  const terms = row.terms as ContractTermsInput;
  return {
    id: row.id,
    clientId: client.id,
    validFrom: row.validFrom,
    validTo: row.validTo,
    currency: row.currency,
    timeZone: client.timeZone,
    slaTargets: terms.slaTargets.map(({ priority, metric, minutes, calendar, complianceTargetPercent }) => ({
      priority,
      metric,
      minutes,
      calendar,
      complianceTargetPercent,
    })),
  };
}
