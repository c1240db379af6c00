/**
 * Drafting a client's month: plan (the contract in force on the 1st, the draft to refresh, or why there is
 * none), compute from the period aggregates and the contract terms (invoice-math), store (one upsert of the
 * invoices, their lines replaced). However many clients, a fixed number of statements.
 */
import { AppError, uuid } from "@parley/contracts";
import {
  type ContractTermsInput,
  contractForPeriod,
  type SlaMetric,
  type SlaPriority,
} from "@parley/contracts/billing";
import { type Executor, schema, uuidArray } from "@parley/db";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import { listCalendarVersions } from "../sla/business-hours";
import {
  aggregateSlaOutcomes,
  type BillingPeriod,
  type BreachedItemsTarget,
  billingPeriod,
  breachedItemIdsOf,
  countPeriodVolumes,
  localDateOf,
  monthlyPeriod,
  type PeriodVolume,
  type SlaTargetOutcome,
} from "../sla/period-aggregates";
import { createInvoiceDocument } from "./invoice-document";
import {
  computeInvoiceDraft,
  type InvoiceLineDraft,
  type ServiceCreditEvidence,
  type SlaEvidence,
} from "./invoice-math";
import {
  findInvoice,
  getInvoice,
  type InvoiceDetailView,
  type InvoiceRow,
  type InvoiceSnapshot,
  type InvoiceView,
  invoiceReaderOf,
  toInvoiceView,
} from "./read-invoices";

const { agencies, clients, contracts, invoiceLines, invoices } = schema;

export const createDraftsInput = z.object({
  period: billingPeriod,
  clientIds: z.array(uuid).max(500, { message: "must list at most 500 clients" }).optional(),
});
export type CreateDraftsInput = z.infer<typeof createDraftsInput>;

export async function getAgencyRow(tx: Executor, agencyId: string) {
  const [agency] = await tx.select().from(agencies).where(eq(agencies.id, agencyId));
  if (!agency) throw new AppError("NOT_FOUND", "Agency not found", { reason: "agency_not_found" });
  return agency;
}

/** Per client: the finalized invoice of the month that no credit note corrects, if any. */
export async function findStandingInvoices(
  tx: Executor,
  input: { agencyId: string; clientIds: readonly string[]; periodStart: string },
): Promise<Map<string, { id: string; number: string | null }>> {
  const rows = await tx.execute<{ id: string; number: string | null; client_id: string }>(sql`
    select inv.id, inv.number, inv.client_id from invoices inv
    where inv.agency_id = ${input.agencyId} and inv.client_id = any(${uuidArray(input.clientIds)})
      and inv.period_start = ${input.periodStart} and inv.kind = 'invoice' and inv.status = 'finalized'
      and not exists (select 1 from invoices cn where cn.corrects_invoice_id = inv.id and cn.kind = 'credit_note')`);
  return new Map(rows.map((row) => [row.client_id, { id: row.id, number: row.number }]));
}

/** One client's standing invoice of the month (`findStandingInvoices`), if any. */
export async function findStandingInvoice(
  tx: Executor,
  input: { agencyId: string; clientId: string; periodStart: string },
) {
  const standing = await findStandingInvoices(tx, { ...input, clientIds: [input.clientId] });
  return standing.get(input.clientId) ?? null;
}

export type DraftOutcome =
  | { clientId: string; clientName: string; status: "created" | "refreshed"; invoice: InvoiceView }
  | {
      clientId: string;
      clientName: string;
      status: "skipped";
      reason: "no_contract" | "already_finalized" | "exists";
      message: string;
    };

type ClientRow = typeof clients.$inferSelect;

/** A client whose month can be drafted: its governing contract and the draft to refresh, if any. */
interface DraftPlan {
  client: ClientRow;
  billing: BillingPeriod;
  contract: typeof contracts.$inferSelect;
  terms: ContractTermsInput;
  existing: InvoiceRow | undefined;
}

/**
 * Computes the month's drafts of `clients` and stores them (lines replaced), or refreshes existing
 * drafts; `onlyMissing` leaves an existing draft as it is (the monthly run). However many clients:
 * three statements plan, one per aggregate family computes, and three store (`storeDrafts`).
 */
export async function computeDrafts(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clients: readonly ClientRow[]; period: string; asOf: Date; onlyMissing?: boolean },
): Promise<DraftOutcome[]> {
  const planned = await planDrafts(scope, tx, input);
  const plans = planned.filter((plan): plan is DraftPlan => "billing" in plan);
  if (plans.length === 0) return planned as DraftOutcome[];
  const periods = plans.map((plan) => ({ clientId: plan.client.id, period: plan.billing }));
  const calendars = await listCalendarVersions(tx, { clientIds: plans.map((plan) => plan.client.id) });
  const volumes = await countPeriodVolumes(scope, tx, {
    clients: plans.map((plan, index) => ({
      ...periods[index]!,
      calendars: calendars.get(plan.client.id) ?? [],
    })),
  });
  const outcomes = await aggregateSlaOutcomes(scope, tx, {
    clients: plans.map((plan, index) => ({
      ...periods[index]!,
      excludeClientSideTime: plan.terms.excludeClientSideTime,
    })),
    asOf: input.asOf,
  });
  const agency = await getAgencyRow(tx, scope.agencyId);
  const stored = await storeDrafts(
    tx,
    plans.map((plan) =>
      draftOf(scope, {
        plan,
        agency,
        volume: volumes.get(plan.client.id) ?? { itemCount: 0, outOfHoursItemCount: 0, escalationCount: 0 },
        outcomes: outcomes.get(plan.client.id) ?? [],
        asOf: input.asOf,
      }),
    ),
  );
  return planned.map((plan) => {
    if (!("billing" in plan)) return plan;
    const row = stored.get(plan.client.id);
    if (!row) throw new AppError("INTERNAL", "Invoice draft was not saved");
    return {
      clientId: plan.client.id,
      clientName: plan.client.name,
      status: plan.existing ? "refreshed" : "created",
      invoice: toInvoiceView(row, plan.client.name),
    };
  });
}

/** Per client, in order: its plan, or why its month is not drafted. Three statements for all the clients. */
async function planDrafts(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clients: readonly ClientRow[]; period: string; onlyMissing?: boolean },
): Promise<Array<DraftOutcome | DraftPlan>> {
  // Months are local: every client's starts on the 1st, whatever its time zone.
  const periodStart = `${input.period}-01`;
  const clientIds = input.clients.map((client) => client.id);
  if (clientIds.length === 0) return [];
  const standing = await findStandingInvoices(tx, { agencyId: scope.agencyId, clientIds, periodStart });
  const drafts = await tx
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.agencyId, scope.agencyId),
        inArray(invoices.clientId, clientIds),
        eq(invoices.periodStart, periodStart),
        eq(invoices.kind, "invoice"),
        eq(invoices.status, "draft"),
      ),
    )
    .for("update");
  const allContracts = await tx
    .select()
    .from(contracts)
    .where(and(eq(contracts.agencyId, scope.agencyId), inArray(contracts.clientId, clientIds)));
  return input.clients.map((client) => {
    const billing = monthlyPeriod(input.period, client.timeZone);
    const outcome = { clientId: client.id, clientName: client.name };
    const finalized = standing.get(client.id);
    if (finalized) {
      return {
        ...outcome,
        status: "skipped",
        reason: "already_finalized",
        message: `Invoice ${finalized.number} is finalized for ${input.period}; issue a credit note to correct it`,
      };
    }
    const existing = drafts.find((draft) => draft.clientId === client.id);
    if (existing && input.onlyMissing) {
      return { ...outcome, status: "skipped", reason: "exists", message: `A draft for ${input.period} exists` };
    }
    const contract = contractForPeriod(
      allContracts.filter((c) => c.clientId === client.id),
      billing.periodStart,
    );
    if (!contract) {
      return {
        ...outcome,
        status: "skipped",
        reason: "no_contract",
        message: `No contract of ${client.name} is in force on ${billing.periodStart}`,
      };
    }
    return { client, billing, contract, terms: contract.terms as ContractTermsInput, existing };
  });
}

/** A client's month as it is stored: the invoice's values and lines. */
interface ComputedDraft {
  values: typeof invoices.$inferInsert;
  lines: readonly InvoiceLineDraft[];
  /** Where a credit line's breached item ids are read from when it is stored (`breachedItemIdsOf`). */
  breachedItemsOf: (evidence: ServiceCreditEvidence) => BreachedItemsTarget;
}

/** Computes a client's draft from its plan and aggregates (no statement). */
function draftOf(
  scope: Pick<Scope, "agencyId">,
  input: {
    plan: DraftPlan;
    agency: typeof agencies.$inferSelect;
    volume: PeriodVolume;
    outcomes: SlaTargetOutcome[];
    asOf: Date;
  },
): ComputedDraft {
  const { plan, volume, outcomes } = input;
  const { client, billing, contract, terms } = plan;
  const outcomeOf = (target: { priority: SlaPriority; metric: SlaMetric }) =>
    outcomes.find((o) => o.priority === target.priority && o.metric === target.metric);
  const slaEvidence: SlaEvidence[] = terms.slaTargets.map((target) => ({
    priority: target.priority,
    metric: target.metric,
    total: outcomeOf(target)?.total ?? 0,
    met: outcomeOf(target)?.met ?? 0,
  }));
  const draft = computeInvoiceDraft({ terms, ...volume, slaEvidence });
  const { agency } = input;
  const snapshot: InvoiceSnapshot = {
    document: createInvoiceDocument({
      number: "DRAFT",
      issuedOn: localDateOf(input.asOf, agency.timeZone),
      period: { start: billing.periodStart, end: billing.periodEnd, timeZone: client.timeZone },
      agency: { name: agency.name, addressLines: [] },
      client: { name: client.name },
      draft,
      terms,
      slaEvidence,
      contractVersion: `Contract from ${contract.validFrom}`,
      status: "draft",
    }),
    volume,
    pending: terms.slaTargets.map((target) => ({
      priority: target.priority,
      metric: target.metric,
      pending: outcomeOf(target)?.pending ?? 0,
    })),
    contract: { id: contract.id, validFrom: contract.validFrom, validTo: contract.validTo, terms },
    asOf: input.asOf.toISOString(),
  };
  return {
    values: {
      agencyId: scope.agencyId,
      clientId: client.id,
      periodStart: billing.periodStart,
      periodEnd: billing.periodEnd,
      contractId: contract.id,
      currency: draft.currency,
      feesMinor: draft.feesMinor,
      creditsMinor: draft.creditsMinor,
      totalMinor: draft.totalMinor,
      snapshot,
      updatedAt: new Date(),
    },
    lines: draft.lines,
    breachedItemsOf: (evidence) => ({
      priority: evidence.priority,
      metric: evidence.metric,
      from: billing.from.toISOString(),
      to: billing.to.toISOString(),
      asOf: input.asOf.toISOString(),
      metOnlyByClientSideTime: outcomeOf(evidence)?.metOnlyByClientSideTime ?? [],
    }),
  };
}

/**
 * Stores computed drafts: one upsert of the invoices (a client's month has at most one draft,
 * `invoices_one_draft_per_period_key`), then their lines replaced. Returns the rows by client.
 */
async function storeDrafts(tx: Executor, drafts: readonly ComputedDraft[]): Promise<Map<string, InvoiceRow>> {
  const excluded = (column: string) => sql.raw(`excluded.${column}`);
  const rows = await tx
    .insert(invoices)
    .values(drafts.map((draft) => draft.values))
    .onConflictDoUpdate({
      target: [invoices.clientId, invoices.periodStart, invoices.kind],
      targetWhere: sql`${invoices.status} = 'draft'`,
      set: {
        contractId: excluded("contract_id"),
        currency: excluded("currency"),
        feesMinor: excluded("fees_minor"),
        creditsMinor: excluded("credits_minor"),
        totalMinor: excluded("total_minor"),
        snapshot: excluded("snapshot"),
        updatedAt: excluded("updated_at"),
      },
    })
    .returning();
  const byClient = new Map(rows.map((row) => [row.clientId, row]));
  await replaceLines(
    tx,
    drafts.flatMap((draft) => {
      const invoice = byClient.get(draft.values.clientId);
      return invoice ? [{ invoice, lines: draft.lines, breachedItemsOf: draft.breachedItemsOf }] : [];
    }),
  );
  return byClient;
}

/**
 * Replaces the lines of each invoice, in two statements. `breachedItemsOf`, when given, names where a credit
 * line's breached item ids are read from (`breachedItemIdsOf`); the statement storing the line gathers them.
 */
export async function replaceLines(
  tx: Executor,
  entries: ReadonlyArray<{
    invoice: InvoiceRow;
    lines: readonly InvoiceLineDraft[];
    breachedItemsOf?: (evidence: ServiceCreditEvidence) => BreachedItemsTarget;
  }>,
): Promise<void> {
  if (entries.length === 0) return;
  await tx.delete(invoiceLines).where(
    inArray(
      invoiceLines.invoiceId,
      entries.map((entry) => entry.invoice.id),
    ),
  );
  const rows = entries.flatMap(({ invoice, lines, breachedItemsOf }) =>
    lines.map((line, index) => {
      const breached = line.evidence && breachedItemsOf ? breachedItemsOf(line.evidence) : null;
      return {
        agency_id: invoice.agencyId,
        client_id: invoice.clientId,
        invoice_id: invoice.id,
        position: index + 1,
        kind: line.kind,
        description: line.description,
        quantity: line.quantity,
        unit_price_minor: String(line.unitPriceMinor),
        amount_minor: line.amountMinor,
        evidence: line.evidence ?? null,
        breached: breached !== null,
        ...breached,
      };
    }),
  );
  if (rows.length === 0) return;
  const column = (name: string) => sql.raw(`line.${name}`);
  await tx.execute(sql`
    insert into ${invoiceLines} (agency_id, client_id, invoice_id, position, kind, description, quantity,
      unit_price_minor, amount_minor, evidence)
    select agency_id, client_id, invoice_id, position, kind, description, quantity, unit_price_minor, amount_minor,
      case when not breached then evidence else jsonb_set(evidence, '{breachedItemIds}', ${breachedItemIdsOf({
        agencyId: column("agency_id"),
        clientId: column("client_id"),
        priority: column('"priority"'),
        metric: column('"metric"'),
        from: column('"from"'),
        to: column('"to"'),
        asOf: column('"asOf"'),
        metOnlyByClientSideTime: column('"metOnlyByClientSideTime"'),
      })}) end
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as line(agency_id uuid, client_id uuid, invoice_id uuid,
      position int, kind text, description text, quantity int, unit_price_minor numeric, amount_minor bigint,
      evidence jsonb, breached boolean, "priority" priority, "metric" clock_metric, "from" timestamptz,
      "to" timestamptz, "asOf" timestamptz, "metOnlyByClientSideTime" uuid[])`);
}

/**
 * Drafts of `period` for the given clients (default: every active client in scope), each in its
 * own savepoint, so one client's failure is reported in its result and does not undo the others.
 */
export async function createInvoiceDrafts(
  scope: Scope,
  tx: Executor,
  input: CreateDraftsInput,
  deps: { now?: Clock } = {},
): Promise<DraftOutcome[]> {
  const chosen = input.clientIds
    ? await Promise.all(input.clientIds.map((clientId) => getClient(scope, tx, clientId)))
    : await tx
        .select()
        .from(clients)
        .where(and(eq(clients.agencyId, scope.agencyId), eq(clients.status, "active")))
        .orderBy(asc(clients.name));
  return computeDrafts(scope, tx, { clients: chosen, period: input.period, asOf: (deps.now ?? systemClock)() });
}

/** Recomputes a draft from the current data; a finalized invoice is refused (INVALID_STATE). */
export async function refreshInvoiceDraft(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string },
  deps: { now?: Clock } = {},
): Promise<InvoiceDetailView> {
  const reader = invoiceReaderOf(scope);
  const { invoice } = await findInvoice(reader, tx, input.invoiceId, { lock: true });
  assertDraft(invoice);
  const client = await getClient(scope, tx, invoice.clientId);
  const [outcome] = await computeDrafts(scope, tx, {
    clients: [client],
    period: invoice.periodStart.slice(0, 7),
    asOf: (deps.now ?? systemClock)(),
  });
  if (!outcome || outcome.status === "skipped") {
    throw new AppError("INVALID_STATE", outcome?.message ?? "No draft was computed", { reason: outcome?.reason });
  }
  return getInvoice(reader, tx, { invoiceId: outcome.invoice.id });
}

export function assertDraft(invoice: InvoiceRow): void {
  if (invoice.status !== "draft" || invoice.kind !== "invoice") {
    throw new AppError("INVALID_STATE", "The invoice is finalized: issue a credit note to correct it", {
      reason: "invoice_finalized",
    });
  }
}
