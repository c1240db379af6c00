/**
 * Invoices of a client's month: drafts computed from the period aggregates (sla/period-aggregates) and
 * contract terms (invoice-math), finalized into numbered immutable snapshots, corrected by credit
 * notes, pushed to Stripe.
 *
 * Rules, written down once:
 * - The contract governing a month is the one in force on its first day (`contractForPeriod`):
 *   a contract changed mid-month applies from the next month; one month, one set of terms.
 * - A draft is recomputed from the data: same items, clocks and escalations, same lines and cents.
 *   One draft per client, month and kind (a unique index); computing again refreshes it.
 * - Finalize freezes the draft as it was reviewed (no recomputation), takes the agency's next
 *   number in the same transaction (`invoice_number_counters`, row-locked, so concurrent finalizes
 *   queue and a rolled-back one leaves no gap) and stores the document snapshot. A trigger refuses
 *   any later change but the Stripe and payment columns.
 * - Numbers are `<PREFIX>-<year>-<0001>`: the prefix is the initials of the agency's first two
 *   words (one word: its first two letters), the year is the finalizing day's in the agency's zone,
 *   the sequence runs on across years (the counter has no year).
 * - Corrections: a credit note (finalized at once, with its own number) negates every line of the
 *   finalized invoice, and a fresh draft of the month is computed. A month has at most one
 *   finalized invoice that no credit note corrects.
 */

import { AppError, uuid } from "@parley/contracts";
import type { StripeGateway } from "@parley/contracts/billing";
import {
  addDaysToLocalDate,
  type ContractTermsInput,
  contractForPeriod,
  paymentTermsDaysOf,
  type SlaMetric,
  type SlaPriority,
  slaMetrics,
  slaPriorities,
} from "@parley/contracts/billing";
import { type Database, type Executor, schema, uuidArray, withTenant } from "@parley/db";
import { and, asc, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import type { BusinessCalendar } from "../sla/business-calendar";
import {
  aggregateSlaOutcomes,
  type BillingPeriod,
  type BreachedItemsTarget,
  billingPeriod,
  breachedItemIdsOf,
  type ClockEvidenceRow,
  countPeriodVolumes,
  findClockEvidence,
  localDateOf,
  maxBreachedItemIds,
  monthlyPeriod,
  type PeriodVolume,
  type SlaTargetOutcome,
} from "../sla/period-aggregates";
import {
  createInvoiceDocument,
  creditNoteLines,
  documentBuyer,
  documentSeller,
  type InvoiceDocument,
  parseInvoiceDocument,
  type SlaSummaryRow,
} from "./invoice-document";
import {
  computeInvoiceDraft,
  type InvoiceLineDraft,
  type ServiceCreditEvidence,
  type SlaEvidence,
} from "./invoice-math";
import { stripeIdempotencyKey } from "./stripe-push";

const {
  agencies,
  channels,
  clientAssignments,
  clients,
  contracts,
  invoiceLines,
  invoiceNumberCounters,
  invoices,
  items,
  memberships,
  notifications,
} = schema;
type InvoiceRow = typeof invoices.$inferSelect;

export const invoiceListInput = z.object({
  clientId: uuid.optional(),
  period: billingPeriod.optional(),
  status: z.enum(schema.invoiceStatuses, { message: "must be draft or finalized" }).optional(),
});
export type InvoiceListInput = z.infer<typeof invoiceListInput>;
export const invoiceIdInput = z.object({ invoiceId: uuid });
export const createDraftsInput = z.object({
  period: billingPeriod,
  clientIds: z.array(uuid).max(500, { message: "must list at most 500 clients" }).optional(),
});
export type CreateDraftsInput = z.infer<typeof createDraftsInput>;
export const creditNoteInput = z.object({
  invoiceId: uuid,
  reason: z.string().trim().min(1, { message: "is required" }).max(500, { message: "must be at most 500 characters" }),
});
export const breachedItemsInput = z.object({
  invoiceId: uuid,
  priority: z.enum(slaPriorities, { message: `must be one of ${slaPriorities.join(", ")}` }),
  metric: z.enum(slaMetrics, { message: `must be one of ${slaMetrics.join(", ")}` }),
});

/** What a draft or finalized invoice was computed from, stored with it. */
export interface InvoiceSnapshot {
  document: InvoiceDocument;
  volume: PeriodVolume;
  /** Per SLA target of the contract: clocks still undecided when the draft was computed. */
  pending: Array<{ priority: SlaPriority; metric: SlaMetric; pending: number }>;
  contract: { id: string; validFrom: string; validTo: string | null; terms: ContractTermsInput };
  /** When the clocks were read. */
  asOf: string;
}

/** A credit note's snapshot: what it corrects and why. */
export interface CreditNoteSnapshot {
  corrects: { id: string; number: string | null };
  reason: string;
}

export interface InvoiceView {
  id: string;
  clientId: string;
  clientName: string;
  kind: InvoiceRow["kind"];
  status: InvoiceRow["status"];
  /** "YYYY-MM" of the client's month. */
  period: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  feesMinor: number;
  creditsMinor: number;
  totalMinor: number;
  number: string | null;
  correctsInvoiceId: string | null;
  finalizedAt: Date | null;
  stripeInvoiceId: string | null;
  paymentStatus: InvoiceRow["paymentStatus"];
  updatedAt: Date;
}

export interface InvoiceLineView {
  position: number;
  kind: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
  evidence: ServiceCreditEvidence | null;
}

export interface InvoiceDetailView extends InvoiceView {
  /** Finalized invoices: the issue date and the due date (issue date + payment terms), client's calendar. */
  issuedOn: string | null;
  dueOn: string | null;
  lines: InvoiceLineView[];
  /** Invoices: the SLA summary, counts and contract; credit notes: what they correct. */
  evidence: {
    slaSummary: SlaSummaryRow[];
    volume: PeriodVolume | null;
    pending: InvoiceSnapshot["pending"];
    creditCapMinor: number | null;
    contract: InvoiceSnapshot["contract"] | null;
    asOf: string | null;
    corrects: CreditNoteSnapshot["corrects"] | null;
    reason: string | null;
  };
}

/**
 * Who may read invoices: owners, admins and account managers (their clients) every invoice;
 * stakeholders their own client's finalized ones; an agency API key every invoice of the agency.
 */
export interface InvoiceReader {
  agencyId: string;
  clientIds: readonly string[] | null;
  finalizedOnly: boolean;
}

export function invoiceReaderOf(scope: Scope): InvoiceReader {
  if (scope.role === "moderator") {
    throw new AppError("FORBIDDEN", "Your role does not allow this", { reason: "role_not_allowed" });
  }
  return {
    agencyId: scope.agencyId,
    clientIds: scope.clientIds,
    finalizedOnly: scope.role === "client_stakeholder",
  };
}

function toInvoiceView(row: InvoiceRow, clientName: string): InvoiceView {
  return {
    id: row.id,
    clientId: row.clientId,
    clientName,
    kind: row.kind,
    status: row.status,
    period: row.periodStart.slice(0, 7),
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    currency: row.currency,
    feesMinor: row.feesMinor,
    creditsMinor: row.creditsMinor,
    totalMinor: row.totalMinor,
    number: row.number,
    correctsInvoiceId: row.correctsInvoiceId,
    finalizedAt: row.finalizedAt,
    stripeInvoiceId: row.stripeInvoiceId,
    paymentStatus: row.paymentStatus,
    updatedAt: row.updatedAt,
  };
}

function readerFilter(reader: InvoiceReader): SQL | undefined {
  return and(
    eq(invoices.agencyId, reader.agencyId),
    reader.clientIds ? inArray(invoices.clientId, [...reader.clientIds]) : undefined,
    reader.finalizedOnly ? eq(invoices.status, "finalized") : undefined,
  );
}

export async function listInvoices(
  reader: InvoiceReader,
  tx: Executor,
  input: InvoiceListInput,
): Promise<InvoiceView[]> {
  const rows = await tx
    .select({ invoice: invoices, clientName: clients.name })
    .from(invoices)
    .innerJoin(clients, eq(clients.id, invoices.clientId))
    .where(
      and(
        readerFilter(reader),
        input.clientId ? eq(invoices.clientId, input.clientId) : undefined,
        input.period ? eq(invoices.periodStart, `${input.period}-01`) : undefined,
        input.status ? eq(invoices.status, input.status) : undefined,
      ),
    )
    .orderBy(desc(invoices.periodStart), asc(clients.name), asc(invoices.createdAt));
  return rows.map((row) => toInvoiceView(row.invoice, row.clientName));
}

async function findInvoice(reader: InvoiceReader, tx: Executor, invoiceId: string, options: { lock?: boolean } = {}) {
  const query = tx
    .select({ invoice: invoices, clientName: clients.name })
    .from(invoices)
    .innerJoin(clients, eq(clients.id, invoices.clientId))
    .where(and(eq(invoices.id, invoiceId), readerFilter(reader)));
  const [row] = options.lock ? await query.for("update", { of: invoices }) : await query;
  if (!row) throw new AppError("NOT_FOUND", "Invoice not found", { reason: "invoice_not_found" });
  return row;
}

function toLineView(row: typeof invoiceLines.$inferSelect): InvoiceLineView {
  return {
    position: row.position,
    kind: row.kind,
    description: row.description,
    quantity: row.quantity,
    unitPriceMinor: Number(row.unitPriceMinor),
    amountMinor: row.amountMinor,
    evidence: (row.evidence as ServiceCreditEvidence | null) ?? null,
  };
}

async function findLines(tx: Executor, invoiceId: string): Promise<InvoiceLineView[]> {
  const rows = await tx
    .select()
    .from(invoiceLines)
    .where(eq(invoiceLines.invoiceId, invoiceId))
    .orderBy(asc(invoiceLines.position));
  return rows.map(toLineView);
}

/** An invoice with its lines and the evidence behind them; NOT_FOUND when the reader may not see it. */
export async function getInvoice(
  reader: InvoiceReader,
  tx: Executor,
  input: { invoiceId: string },
): Promise<InvoiceDetailView> {
  const { invoice, clientName } = await findInvoice(reader, tx, input.invoiceId);
  const snapshot = invoice.snapshot as Partial<InvoiceSnapshot & CreditNoteSnapshot>;
  return {
    ...toInvoiceView(invoice, clientName),
    issuedOn: invoice.status === "finalized" ? (snapshot.document?.issuedOn ?? null) : null,
    dueOn: invoice.status === "finalized" ? (snapshot.document?.dueOn ?? null) : null,
    lines: await findLines(tx, invoice.id),
    evidence: {
      slaSummary: snapshot.document?.slaSummary ?? [],
      volume: snapshot.volume ?? null,
      pending: snapshot.pending ?? [],
      creditCapMinor: snapshot.document?.creditCapMinor ?? null,
      contract: snapshot.contract ?? null,
      asOf: snapshot.asOf ?? null,
      corrects: snapshot.corrects ?? null,
      reason: snapshot.reason ?? null,
    },
  };
}

/** The document the PDF and the lines CSV render; credit notes have none (INVALID_STATE). */
export async function getInvoiceDocument(
  reader: InvoiceReader,
  tx: Executor,
  input: { invoiceId: string },
): Promise<InvoiceDocument> {
  const { invoice } = await findInvoice(reader, tx, input.invoiceId);
  const document = (invoice.snapshot as Partial<InvoiceSnapshot>).document;
  if (!document) {
    throw new AppError("INVALID_STATE", "Credit notes have no invoice document to render", {
      reason: "credit_note_not_rendered",
    });
  }
  if (invoice.status !== "draft") return document;
  // A draft shows the parties as they stand today (finalizing freezes them); a finalized document as it was.
  const [agency] = await tx.select().from(agencies).where(eq(agencies.id, reader.agencyId));
  const [client] = await tx
    .select()
    .from(clients)
    .where(and(eq(clients.id, invoice.clientId), eq(clients.agencyId, reader.agencyId)));
  if (!agency || !client) return document;
  return { ...document, agency: documentSeller(agency), client: documentBuyer(client) };
}

/** The per-clock evidence of an invoice's month, read as of the invoice's computation. */
export async function getInvoiceClockEvidence(
  reader: InvoiceReader,
  tx: Executor,
  input: { invoiceId: string },
): Promise<{ rows: ClockEvidenceRow[]; timeZone: string; number: string | null }> {
  const { invoice } = await findInvoice(reader, tx, input.invoiceId);
  const snapshot = invoice.snapshot as Partial<InvoiceSnapshot>;
  if (!snapshot.document || !snapshot.contract || !snapshot.asOf) {
    throw new AppError("INVALID_STATE", "Credit notes have no SLA evidence", { reason: "credit_note_not_rendered" });
  }
  const period = monthlyPeriod(invoice.periodStart.slice(0, 7), snapshot.document.period.timeZone);
  const rows = await findClockEvidence(reader, tx, {
    clientId: invoice.clientId,
    period,
    asOf: new Date(snapshot.asOf),
    excludeClientSideTime: snapshot.contract.terms.excludeClientSideTime,
  });
  return { rows, timeZone: period.timeZone, number: invoice.number };
}

/** Initials of the agency's first two words, or the first two letters of a one-word name. */
export function invoiceNumberPrefix(agencyName: string): string {
  const words = agencyName.toUpperCase().match(/[A-Z0-9]+/g) ?? ["INV"];
  const prefix = words.length > 1 ? `${words[0]?.[0]}${words[1]?.[0]}` : (words[0] ?? "INV").slice(0, 2);
  return prefix || "INV";
}

async function getAgency(tx: Executor, agencyId: string) {
  const [agency] = await tx.select().from(agencies).where(eq(agencies.id, agencyId));
  if (!agency) throw new AppError("NOT_FOUND", "Agency not found", { reason: "agency_not_found" });
  return agency;
}

/** Per client: the finalized invoice of the month that no credit note corrects, if any. */
async function findStandingInvoices(
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
async function findStandingInvoice(tx: Executor, input: { agencyId: string; clientId: string; periodStart: string }) {
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
async function computeDrafts(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clients: readonly ClientRow[]; period: string; asOf: Date; onlyMissing?: boolean },
): Promise<DraftOutcome[]> {
  const planned = await planDrafts(scope, tx, input);
  const plans = planned.filter((plan): plan is DraftPlan => "billing" in plan);
  if (plans.length === 0) return planned as DraftOutcome[];
  const periods = plans.map((plan) => ({ clientId: plan.client.id, period: plan.billing }));
  const volumes = await countPeriodVolumes(scope, tx, {
    clients: plans.map((plan, index) => ({
      ...periods[index]!,
      businessCalendar: plan.client.businessCalendar as BusinessCalendar | null,
    })),
  });
  const outcomes = await aggregateSlaOutcomes(scope, tx, {
    clients: plans.map((plan, index) => ({
      ...periods[index]!,
      excludeClientSideTime: plan.terms.excludeClientSideTime,
    })),
    asOf: input.asOf,
  });
  const agency = await getAgency(tx, scope.agencyId);
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
async function replaceLines(
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
  input: CreateDraftsInput & { asOf?: Date },
): Promise<DraftOutcome[]> {
  const chosen = input.clientIds
    ? await Promise.all(input.clientIds.map((clientId) => getClient(scope, tx, clientId)))
    : await tx
        .select()
        .from(clients)
        .where(and(eq(clients.agencyId, scope.agencyId), eq(clients.status, "active")))
        .orderBy(asc(clients.name));
  return computeDrafts(scope, tx, { clients: chosen, period: input.period, asOf: input.asOf ?? new Date() });
}

/** Recomputes a draft from the current data; a finalized invoice is refused (INVALID_STATE). */
export async function refreshInvoiceDraft(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string; asOf?: Date },
): Promise<InvoiceDetailView> {
  const reader = invoiceReaderOf(scope);
  const { invoice } = await findInvoice(reader, tx, input.invoiceId, { lock: true });
  assertDraft(invoice);
  const client = await getClient(scope, tx, invoice.clientId);
  const [outcome] = await computeDrafts(scope, tx, {
    clients: [client],
    period: invoice.periodStart.slice(0, 7),
    asOf: input.asOf ?? new Date(),
  });
  if (!outcome || outcome.status === "skipped") {
    throw new AppError("INVALID_STATE", outcome?.message ?? "No draft was computed", { reason: outcome?.reason });
  }
  return getInvoice(reader, tx, { invoiceId: outcome.invoice.id });
}

function assertDraft(invoice: InvoiceRow): void {
  if (invoice.status !== "draft" || invoice.kind !== "invoice") {
    throw new AppError("INVALID_STATE", "The invoice is finalized: issue a credit note to correct it", {
      reason: "invoice_finalized",
    });
  }
}

/** The payment terms as the invoice states them beside its totals. */
function paymentTermsNote(days: number): string {
  return days === 0
    ? "Payment terms: due on receipt."
    : `Payment terms: ${days} ${days === 1 ? "day" : "days"} from the issue date.`;
}

/** Takes the agency's next invoice number; the counter row stays locked until the transaction ends. */
async function takeInvoiceNumber(tx: Executor, input: { agencyId: string; agencyName: string; year: string }) {
  const [counter] = await tx
    .insert(invoiceNumberCounters)
    .values({ agencyId: input.agencyId, nextNumber: 2 })
    .onConflictDoUpdate({
      target: invoiceNumberCounters.agencyId,
      set: { nextNumber: sql`${invoiceNumberCounters.nextNumber} + 1` },
    })
    .returning({ nextNumber: invoiceNumberCounters.nextNumber });
  if (!counter) throw new AppError("INTERNAL", "No invoice number was taken");
  const sequence = String(counter.nextNumber - 1).padStart(4, "0");
  return `${invoiceNumberPrefix(input.agencyName)}-${input.year}-${sequence}`;
}

/** Freezes a reviewed draft: the next number, the snapshot, immutable from now on. */
export async function finalizeInvoice(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string; now?: Date },
): Promise<InvoiceDetailView> {
  const reader = invoiceReaderOf(scope);
  const now = input.now ?? new Date();
  const { invoice } = await findInvoice(reader, tx, input.invoiceId, { lock: true });
  assertDraft(invoice);
  const snapshot = invoice.snapshot as InvoiceSnapshot;
  const periodEnd = monthlyPeriod(invoice.periodStart.slice(0, 7), snapshot.document.period.timeZone).to;
  if (periodEnd > now) {
    throw new AppError("INVALID_STATE", "The month is not over yet", { reason: "period_not_over" });
  }
  const standing = await findStandingInvoice(tx, invoice);
  if (standing) {
    throw new AppError("CONFLICT", `Invoice ${standing.number} is already finalized for this month`, {
      reason: "already_finalized",
    });
  }
  const agency = await getAgency(tx, scope.agencyId);
  const client = await getClient(scope, tx, invoice.clientId);
  const number = await takeInvoiceNumber(tx, {
    agencyId: agency.id,
    agencyName: agency.name,
    year: localDateOf(now, agency.timeZone).slice(0, 4),
  });
  // The issue and due dates are calendar dates of the client, like the period they bill; the
  // parties are frozen as their billing details stand now (a later change never alters this invoice).
  const issuedOn = localDateOf(now, snapshot.document.period.timeZone);
  const paymentTermsDays = paymentTermsDaysOf(snapshot.contract.terms);
  const frozen: InvoiceSnapshot = {
    ...snapshot,
    document: parseInvoiceDocument({
      ...snapshot.document,
      number,
      issuedOn,
      dueOn: addDaysToLocalDate(issuedOn, paymentTermsDays),
      agency: documentSeller(agency),
      client: documentBuyer(client),
      notes: snapshot.document.notes ?? paymentTermsNote(paymentTermsDays),
      status: "finalized",
    }),
  };
  const [row] = await tx
    .update(invoices)
    .set({
      status: "finalized",
      number,
      snapshot: frozen,
      finalizedAt: now,
      finalizedBy: scope.actorId,
      updatedAt: now,
    })
    .where(eq(invoices.id, invoice.id))
    .returning();
  if (!row) throw new AppError("INTERNAL", "Invoice was not finalized");
  await recordAudit(tx, scope, {
    action: "invoice.finalized",
    subjectType: "invoice",
    subjectId: row.id,
    clientId: row.clientId,
    after: { number, totalMinor: row.totalMinor, currency: row.currency },
  });
  return getInvoice(reader, tx, { invoiceId: row.id });
}

/**
 * Corrects a finalized invoice: a credit note negating each of its lines (finalized at once, with
 * its own number), and a fresh draft of the month from the current data.
 */
export async function issueCreditNote(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string; reason: string; now?: Date },
): Promise<{ creditNote: InvoiceDetailView; draft: DraftOutcome }> {
  const reader = invoiceReaderOf(scope);
  const now = input.now ?? new Date();
  const { invoice } = await findInvoice(reader, tx, input.invoiceId, { lock: true });
  if (invoice.kind !== "invoice" || invoice.status !== "finalized" || !invoice.number) {
    throw new AppError("INVALID_STATE", "Only a finalized invoice can be credited", { reason: "not_finalized" });
  }
  const standing = await findStandingInvoice(tx, invoice);
  if (standing?.id !== invoice.id) {
    throw new AppError("CONFLICT", "A credit note already corrects this invoice", { reason: "already_credited" });
  }
  const agency = await getAgency(tx, scope.agencyId);
  const snapshot: CreditNoteSnapshot = { corrects: { id: invoice.id, number: invoice.number }, reason: input.reason };
  const [draftNote] = await tx
    .insert(invoices)
    .values({
      agencyId: scope.agencyId,
      clientId: invoice.clientId,
      contractId: invoice.contractId,
      kind: "credit_note",
      periodStart: invoice.periodStart,
      periodEnd: invoice.periodEnd,
      currency: invoice.currency,
      feesMinor: -invoice.feesMinor,
      creditsMinor: -invoice.creditsMinor,
      totalMinor: -invoice.totalMinor,
      snapshot,
      correctsInvoiceId: invoice.id,
    })
    .returning();
  if (!draftNote) throw new AppError("INTERNAL", "Credit note was not saved");
  const lines = await findLines(tx, invoice.id);
  await replaceLines(tx, [
    {
      invoice: draftNote,
      lines: creditNoteLines(
        invoice.number,
        lines.map((line) => ({
          kind: line.kind as InvoiceLineDraft["kind"],
          description: line.description,
          quantity: line.quantity,
          unitPriceMinor: line.unitPriceMinor,
          amountMinor: line.amountMinor,
        })),
      ),
    },
  ]);
  const number = await takeInvoiceNumber(tx, {
    agencyId: agency.id,
    agencyName: agency.name,
    year: localDateOf(now, agency.timeZone).slice(0, 4),
  });
  await tx
    .update(invoices)
    .set({ status: "finalized", number, finalizedAt: now, finalizedBy: scope.actorId, updatedAt: now })
    .where(eq(invoices.id, draftNote.id));
  await recordAudit(tx, scope, {
    action: "invoice.credited",
    subjectType: "invoice",
    subjectId: invoice.id,
    clientId: invoice.clientId,
    after: { creditNoteId: draftNote.id, creditNoteNumber: number, reason: input.reason },
  });
  const client = await getClient(scope, tx, invoice.clientId);
  const [draft] = await computeDrafts(scope, tx, {
    clients: [client],
    period: invoice.periodStart.slice(0, 7),
    asOf: now,
  });
  if (!draft) throw new AppError("INTERNAL", "No fresh draft was computed");
  return { creditNote: await getInvoice(reader, tx, { invoiceId: draftNote.id }), draft };
}

export interface BreachedItemView {
  itemId: string;
  channel: string;
  receivedAt: Date;
  authorHandle: string;
  excerpt: string;
  status: string;
}

/** Drill-down from a credit line: the items whose clock breached that target, as the line recorded them. */
export async function findBreachedItems(
  reader: InvoiceReader,
  tx: Executor,
  input: z.infer<typeof breachedItemsInput>,
): Promise<{ total: number; items: BreachedItemView[] }> {
  const { invoice } = await findInvoice(reader, tx, input.invoiceId);
  const lines = await findLines(tx, invoice.id);
  const line = lines.find((l) => l.evidence?.priority === input.priority && l.evidence.metric === input.metric);
  if (!line?.evidence) {
    throw new AppError("NOT_FOUND", `The invoice has no ${input.priority} ${input.metric} credit line`, {
      reason: "credit_line_not_found",
      fields: { metric: `has no ${input.priority} credit line on this invoice` },
    });
  }
  // The line keeps the first `maxBreachedItemIds` breached ids; how many breached is total − met.
  const ids = line.evidence.breachedItemIds.slice(0, maxBreachedItemIds);
  const rows =
    ids.length === 0
      ? []
      : await tx
          .select({
            itemId: items.id,
            channel: channels.displayName,
            receivedAt: items.receivedAt,
            authorHandle: items.authorHandle,
            body: items.body,
            status: items.status,
          })
          .from(items)
          .innerJoin(channels, eq(channels.id, items.channelId))
          .where(and(eq(items.agencyId, reader.agencyId), eq(items.clientId, invoice.clientId), inArray(items.id, ids)))
          .orderBy(asc(items.receivedAt), asc(items.id));
  return {
    total: line.evidence.total - line.evidence.met,
    items: rows.map(({ body, ...row }) => ({ ...row, excerpt: body.slice(0, 200) })),
  };
}

/**
 * Pushes a finalized invoice to Stripe: the customer (created once per client), the invoice, one
 * invoice item per non-zero line, then finalizes it. Idempotent end to end (see stripe-push).
 */
export async function pushInvoiceToStripe(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string },
  stripe: StripeGateway | null,
): Promise<InvoiceView> {
  const reader = invoiceReaderOf(scope);
  const { invoice, clientName } = await findInvoice(reader, tx, input.invoiceId, { lock: true });
  if (invoice.kind !== "invoice" || invoice.status !== "finalized" || !invoice.number) {
    throw new AppError("INVALID_STATE", "Only a finalized invoice can be pushed to Stripe", {
      reason: "not_finalized",
    });
  }
  if (invoice.stripeInvoiceId) return toInvoiceView(invoice, clientName);
  if (!stripe) {
    throw new AppError("INVALID_STATE", "Stripe is not configured (STRIPE_SECRET_KEY)", {
      reason: "stripe_not_configured",
    });
  }
  const client = await getClient(scope, tx, invoice.clientId);
  // The buyer and due date as the finalized invoice prints them.
  const { document } = invoice.snapshot as InvoiceSnapshot;
  const metadata = { parley_agency_id: invoice.agencyId, parley_client_id: client.id, parley_invoice_id: invoice.id };
  let customerId = client.stripeCustomerId;
  if (!customerId) {
    ({ id: customerId } = await stripe.createCustomer({
      name: client.name,
      email: document.client.email ?? null,
      addressLines: document.client.addressLines ?? [],
      metadata: { parley_agency_id: invoice.agencyId, parley_client_id: client.id },
      idempotencyKey: stripeIdempotencyKey(invoice.id, "customer"),
    }));
    await tx
      .update(clients)
      .set({ stripeCustomerId: customerId, updatedAt: new Date() })
      .where(eq(clients.id, client.id));
  }
  const stripeInvoice = await stripe.createInvoice({
    customerId,
    currency: invoice.currency,
    description: `${invoice.number}: ${clientName}, ${invoice.periodStart.slice(0, 7)}`,
    dueOn: document.dueOn ?? null,
    customFields: document.client.taxId ? [{ name: "Tax ID", value: document.client.taxId }] : [],
    metadata: { ...metadata, parley_invoice_number: invoice.number },
    idempotencyKey: stripeIdempotencyKey(invoice.id, "invoice"),
  });
  for (const line of await findLines(tx, invoice.id)) {
    if (line.amountMinor === 0) continue;
    await stripe.addInvoiceLine({
      customerId,
      invoiceId: stripeInvoice.id,
      currency: invoice.currency,
      amountMinor: line.amountMinor,
      description: line.description,
      idempotencyKey: stripeIdempotencyKey(invoice.id, `line-${line.position}`),
    });
  }
  await stripe.finalizeInvoice({
    invoiceId: stripeInvoice.id,
    idempotencyKey: stripeIdempotencyKey(invoice.id, "finalize"),
  });
  const [row] = await tx
    .update(invoices)
    .set({ stripeInvoiceId: stripeInvoice.id, paymentStatus: "open", updatedAt: new Date() })
    .where(eq(invoices.id, invoice.id))
    .returning();
  if (!row) throw new AppError("INTERNAL", "Invoice was not updated");
  await recordAudit(tx, scope, {
    action: "invoice.pushed_to_stripe",
    subjectType: "invoice",
    subjectId: row.id,
    clientId: row.clientId,
    after: { stripeInvoiceId: stripeInvoice.id, stripeCustomerId: customerId },
  });
  return toInvoiceView(row, clientName);
}

/**
 * The monthly run of one agency (cron on the 1st, or the embedded scheduler): drafts of last month
 * for every active client that has none yet, and a notification to each account manager assigned
 * to the client. Idempotent: a second run finds the drafts and does nothing. Runs of the same agency
 * and month take turns (a transaction-level advisory lock): with several API processes, each running
 * the embedded scheduler, the second run waits for the first and then finds its drafts — without the
 * lock it would plan before the first committed, upsert over its drafts and notify a second time.
 */
export async function createMonthlyInvoiceDrafts(
  db: Database,
  input: { agencyId: string; period: string; asOf?: Date },
): Promise<DraftOutcome[]> {
  const scope = { agencyId: input.agencyId };
  const asOf = input.asOf ?? new Date();
  return withTenant(db, { agencyId: input.agencyId, clientIds: null }, async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`parley:monthly-invoices:${input.agencyId}:${input.period}`}, 0))`,
    );
    const active = await tx
      .select()
      .from(clients)
      .where(and(eq(clients.agencyId, input.agencyId), eq(clients.status, "active")))
      .orderBy(asc(clients.name));
    const outcomes = await computeDrafts(scope, tx, { clients: active, period: input.period, asOf, onlyMissing: true });
    for (const outcome of outcomes) {
      if (outcome.status !== "created") continue;
      const managers = await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .innerJoin(clientAssignments, eq(clientAssignments.membershipId, memberships.id))
        .where(
          and(
            eq(memberships.agencyId, input.agencyId),
            eq(memberships.role, "account_manager"),
            eq(clientAssignments.clientId, outcome.clientId),
          ),
        );
      if (managers.length === 0) continue;
      await tx.insert(notifications).values(
        managers.map((manager) => ({
          agencyId: input.agencyId,
          clientId: outcome.clientId,
          recipientUserId: manager.userId,
          kind: "invoice.draft_created",
          subjectType: "invoice",
          subjectId: outcome.invoice.id,
          title: `Invoice draft for ${outcome.clientName}, ${input.period}`,
          body: `The ${input.period} draft of ${outcome.clientName} is ready for review.`,
        })),
      );
    }
    return outcomes;
  });
}
