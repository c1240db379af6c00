import { AppError } from "@parley/contracts";
import {
  acknowledgementCountsOf,
  addDaysToLocalDate,
  type ContractTermsInput,
  findOverlappingContract,
  parseContractTerms,
} from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { contractInForceOn } from "../sla/clock-terms";
import { localWallTime } from "../sla/zone-offsets";

const { contracts, invoices } = schema;
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

const periodDate = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

/** A validity period as the contracts table shows it: "Jan 1, 2025 – Jun 30, 2025", "Jan 1, 2025 – open-ended". */
export function describeContractPeriod(period: { validFrom: string; validTo?: string | null }): string {
  const day = (date: string) => periodDate.format(new Date(`${date}T00:00:00Z`));
  const last = period.validTo ? day(addDaysToLocalDate(period.validTo, -1)) : "open-ended";
  return `${day(period.validFrom)} – ${last}`;
}

/**
 * Creates a contract, or replaces the terms of `contractId`. Periods of one client never overlap:
 * the client row is locked so two saves cannot both pass the check. A new contract overlapping an open-ended one
 * that started earlier is refused with both periods named and `details.canEndCurrent`; saved again with
 * `endCurrent: true`, the current one ends the day before the new start in the same transaction (audited as
 * `contract.ended`). A contract that billed a finalized month keeps its terms: only ending it after that month is
 * allowed (a renewal is a new contract).
 */
export async function saveContract(
  scope: Scope,
  tx: Executor,
  input: { clientId: string; contractId?: string; terms: unknown; endCurrent?: boolean },
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
  let overlapping = findOverlappingContract(others, terms);
  const canEndCurrent =
    !input.contractId &&
    overlapping !== null &&
    overlapping.validTo === null &&
    overlapping.validFrom < terms.validFrom &&
    findOverlappingContract(
      others.filter((other) => other.id !== overlapping?.id),
      terms,
    ) === null;
  if (overlapping && canEndCurrent && input.endCurrent) {
    const current = overlapping;
    await assertAmendable(tx, { contract: current, next: { ...current, validTo: terms.validFrom } });
    const [ended] = await tx
      .update(contracts)
      .set({
        validTo: terms.validFrom,
        terms: { ...(current.terms as object), validTo: terms.validFrom },
        updatedAt: new Date(),
      })
      .where(eq(contracts.id, current.id))
      .returning();
    await recordAudit(tx, scope, {
      action: "contract.ended",
      subjectType: "contract",
      subjectId: current.id,
      clientId: client.id,
      before: current,
      after: ended,
    });
    overlapping = null;
  }
  if (overlapping) {
    const theirs = describeContractPeriod(overlapping);
    const mine = describeContractPeriod(terms);
    const message = canEndCurrent
      ? `The new contract (${mine}) overlaps the current one (${theirs}): end the current one on ${periodDate.format(new Date(`${addDaysToLocalDate(terms.validFrom, -1)}T00:00:00Z`))} to start this one`
      : `This contract (${mine}) overlaps the contract ${theirs}`;
    throw new AppError("CONFLICT", message, {
      reason: "overlapping_contract",
      contractId: overlapping.id,
      canEndCurrent,
      fields: { validFrom: `overlaps the contract ${theirs}` },
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
    await assertAmendable(tx, { contract: before, next: { ...values, terms } });
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

/**
 * Refuses a change to a contract that billed a finalized month, unless it only ends the contract after the last
 * such month: the invoice was computed from these terms, and a correction is a credit note, not an edit.
 */
async function assertAmendable(
  tx: Executor,
  { contract, next }: { contract: ContractRow; next: { validFrom: string; validTo: string | null; terms: unknown } },
): Promise<void> {
  const [billed] = await tx
    .select({ periodStart: invoices.periodStart, periodEnd: invoices.periodEnd, number: invoices.number })
    .from(invoices)
    .where(and(eq(invoices.contractId, contract.id), eq(invoices.status, "finalized"), eq(invoices.kind, "invoice")))
    .orderBy(desc(invoices.periodEnd))
    .limit(1);
  if (!billed) return;
  const { validTo: _was, ...kept } = parseContractTerms(contract.terms);
  const { validTo: _next, ...changed } = parseContractTerms(next.terms);
  const sameTerms = JSON.stringify(canonical(kept)) === JSON.stringify(canonical(changed));
  const endsAfterBilled = next.validTo === null || next.validTo >= billed.periodEnd;
  if (sameTerms && next.validFrom === contract.validFrom && endsAfterBilled) return;
  const month = periodDate.format(new Date(`${billed.periodStart}T00:00:00Z`)).replace(/ \d+,/, "");
  throw new AppError(
    "CONFLICT",
    `This contract billed ${month} (invoice ${billed.number}), which is finalized: its terms can't change. End it and start a new contract instead.`,
    { reason: "contract_billed", invoiceNumber: billed.number, periodStart: billed.periodStart },
  );
}

/** A value with its object keys sorted, so two equal documents serialise the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, entry]) => entry !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, entry]) => [key, canonical(entry)]),
    );
  }
  return value;
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
    acknowledgementCountsAsFirstResponse: z
      .boolean()
      .describe("whether a delivered acknowledgement stops the first-response clock (a delivered reply always does)"),
  })
  .meta({ ref: "ContractInForce" });
export type ContractInForceView = z.infer<typeof contractInForceView>;

/** The client's contract in force at `at` (its local date then); null when none is. */
export async function findContractInForce(
  scope: Pick<Scope, "agencyId" | "clientIds">,
  tx: Executor,
  input: { clientId: string; at: Date },
): Promise<ContractInForceView | null> {
  const client = await getClient(scope, tx, input.clientId);
  const rows = await tx
    .select()
    .from(contracts)
    .where(and(eq(contracts.agencyId, scope.agencyId), eq(contracts.clientId, client.id)));
  const row = contractInForceOn(rows, localWallTime(input.at.getTime(), client.timeZone).date);
  if (!row) return null;
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
    acknowledgementCountsAsFirstResponse: acknowledgementCountsOf(terms),
  };
}

/** The client's contract in force at `at` (its local date then); NOT_FOUND when none is. */
export async function getContractInForce(
  scope: Pick<Scope, "agencyId" | "clientIds">,
  tx: Executor,
  input: { clientId: string; at: Date },
): Promise<ContractInForceView> {
  const contract = await findContractInForce(scope, tx, input);
  if (contract) return contract;
  const client = await getClient(scope, tx, input.clientId);
  const localDay = localWallTime(input.at.getTime(), client.timeZone).date;
  throw new AppError("NOT_FOUND", `No contract is in force for this client on ${localDay} (${client.timeZone})`, {
    reason: "no_contract_in_force",
  });
}
