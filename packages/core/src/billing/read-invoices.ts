/**
 * Reading invoices: who may read which (`InvoiceReader`), the list, one invoice with its lines and the evidence
 * behind them, the document its PDF and CSV render (an invoice's frozen document, or a credit note's), the
 * clock evidence of its month and the drill-down from a credit line to the items that breached.
 */
import { AppError, uuid } from "@parley/contracts";
import {
  type ContractTermsInput,
  type SlaMetric,
  type SlaPriority,
  slaMetrics,
  slaPriorities,
} from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, asc, desc, eq, inArray, type SQL } from "drizzle-orm";
import { z } from "zod";
import { assertAllowed } from "../kernel/permissions";
import type { Scope } from "../kernel/scope";
import {
  billingPeriod,
  type ClockEvidenceRow,
  findClockEvidence,
  localDateOf,
  maxBreachedItemIds,
  monthlyPeriod,
  type PeriodVolume,
} from "../sla/period-aggregates";
import {
  createCreditNoteDocument,
  documentBuyer,
  documentSeller,
  type InvoiceDocument,
  type InvoiceDocumentLine,
  type SlaSummaryRow,
} from "./invoice-document";
import type { ServiceCreditEvidence } from "./invoice-math";

const { agencies, channels, clients, invoiceLines, invoices, items, slaClocks } = schema;
export type InvoiceRow = typeof invoices.$inferSelect;

export const invoiceListInput = z.object({
  clientId: uuid.optional(),
  period: billingPeriod.optional(),
  status: z.enum(schema.invoiceStatuses, { message: "must be draft or finalized" }).optional(),
});
export type InvoiceListInput = z.infer<typeof invoiceListInput>;
export const invoiceIdInput = z.object({ invoiceId: uuid });

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

/** An invoice or credit note in a list: the zod schema documents `/v1/invoices` and gives the type. */
export const invoiceView = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  clientName: z.string(),
  kind: z.enum(schema.invoiceKinds),
  status: z.enum(schema.invoiceStatuses),
  period: z.string().describe('the client\'s month, "YYYY-MM"'),
  periodStart: z.string().describe("local date, YYYY-MM-DD"),
  periodEnd: z.string().describe("local date, YYYY-MM-DD (exclusive)"),
  currency: z.string().describe("ISO 4217"),
  feesMinor: z.number().int().describe("integer minor units of `currency`"),
  creditsMinor: z.number().int(),
  totalMinor: z.number().int(),
  number: z.string().nullable().describe("set when finalized"),
  correctsInvoiceId: z.uuid().nullable().describe("credit notes: the invoice they correct"),
  finalizedAt: z.date().nullable(),
  stripeInvoiceId: z.string().nullable(),
  paymentStatus: z.enum(schema.paymentStatuses),
  updatedAt: z.date(),
});
export type InvoiceView = z.infer<typeof invoiceView>;

export type InvoiceLineView = {
  position: number;
  kind: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
  evidence: ServiceCreditEvidence | null;
};

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
 * `InvoiceDetailView` as `/v1/invoices/{id}` documents it: the lines' and evidence's inner shapes are left open
 * there. `InvoiceDetailFitsItsDocument` fails to compile when the view no longer fits what the document promises.
 */
export const invoiceDetailView = invoiceView.extend({
  issuedOn: z.string().nullable().describe("finalized invoices: the issue date, the client's local date YYYY-MM-DD"),
  dueOn: z
    .string()
    .nullable()
    .describe("finalized invoices: the due date, issue date + the contract's payment terms (YYYY-MM-DD)"),
  lines: z.array(
    z.looseObject({
      position: z.number().int(),
      kind: z.string(),
      description: z.string(),
      quantity: z.number(),
      unitPriceMinor: z.number().int(),
      amountMinor: z.number().int(),
    }),
  ),
  evidence: z.looseObject({}).describe("SLA summary, volume, pending clocks and contract the lines were computed from"),
});
export type InvoiceDetailFitsItsDocument = Fits<InvoiceDetailView, z.output<typeof invoiceDetailView>>;
type Fits<View extends Documented, Documented> = View;

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
  assertAllowed(scope, "readInvoices");
  return {
    agencyId: scope.agencyId,
    clientIds: scope.clientIds,
    finalizedOnly: scope.role === "client_stakeholder",
  };
}

export function toInvoiceView(row: InvoiceRow, clientName: string): InvoiceView {
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

export async function findInvoice(
  reader: InvoiceReader,
  tx: Executor,
  invoiceId: string,
  options: { lock?: boolean } = {},
) {
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

export async function findLines(tx: Executor, invoiceId: string): Promise<InvoiceLineView[]> {
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

export interface BreachedItemView {
  itemId: string;
  channel: string;
  receivedAt: Date;
  /** The breached clock's due time and stop (null: still running). */
  dueAt: Date | null;
  stoppedAt: Date | null;
  authorHandle: string;
  excerpt: string;
  status: string;
}

/** Drill-down from a credit line: the items whose clock breached that target, as the line recorded them. */
export async function findBreachedItems(
  reader: InvoiceReader,
  tx: Executor,
  input: z.infer<typeof breachedItemsInput>,
): Promise<{ total: number; timeZone: string; items: BreachedItemView[] }> {
  const { invoice } = await findInvoice(reader, tx, input.invoiceId);
  const [client] = await tx
    .select({ timeZone: clients.timeZone })
    .from(clients)
    .where(and(eq(clients.agencyId, reader.agencyId), eq(clients.id, invoice.clientId)));
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
            dueAt: slaClocks.dueAt,
            stoppedAt: slaClocks.stoppedAt,
          })
          .from(items)
          .innerJoin(channels, eq(channels.id, items.channelId))
          .leftJoin(
            slaClocks,
            and(
              eq(slaClocks.agencyId, items.agencyId),
              eq(slaClocks.itemId, items.id),
              eq(slaClocks.metric, input.metric),
            ),
          )
          .where(and(eq(items.agencyId, reader.agencyId), eq(items.clientId, invoice.clientId), inArray(items.id, ids)))
          .orderBy(asc(items.receivedAt), asc(items.id));
  return {
    total: line.evidence.total - line.evidence.met,
    // The client's zone: the drill-down shows every time in it, named.
    timeZone: client?.timeZone ?? "UTC",
    items: rows.map(({ body, ...row }) => ({ ...row, excerpt: body.slice(0, 200) })),
  };
}

/**
 * What the PDF and the lines CSV of `/v1/invoices/{id}` render, for both kinds: an invoice's frozen
 * document, or a credit note's, assembled from the credit note's own lines and number and the
 * frozen document of the invoice it corrects (createCreditNoteDocument). Reads through the same
 * reader checks as every invoice read.
 */
export async function getInvoiceFileDocument(
  reader: InvoiceReader,
  tx: Executor,
  input: { invoiceId: string },
): Promise<InvoiceDocument> {
  const note = await getInvoice(reader, tx, input);
  if (note.kind === "invoice") return getInvoiceDocument(reader, tx, input);
  const corrects = note.evidence.corrects;
  if (!corrects || !note.number || !note.finalizedAt) {
    throw new AppError("INTERNAL", "A credit note lacks its number or the invoice it corrects");
  }
  // The corrected invoice's frozen document: its parties as they were billed, its calendar (the client's).
  const corrected = await getInvoiceDocument(reader, tx, { invoiceId: corrects.id });
  return createCreditNoteDocument({
    number: note.number,
    issuedOn: localDateOf(note.finalizedAt, corrected.period.timeZone),
    corrected,
    // The kinds are checked again when the document is parsed.
    lines: note.lines.map((line) => ({ ...line, kind: line.kind as InvoiceDocumentLine["kind"] })),
    reason: note.evidence.reason ?? "Correction",
  });
}
