/** Correcting a finalized invoice: a credit note negating its lines, and a fresh draft of the month. */
import { AppError, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { localDateOf } from "../sla/period-aggregates";
import { computeDrafts, type DraftOutcome, findStandingInvoice, getAgencyRow, replaceLines } from "./draft-invoices";
import { creditNoteLines } from "./invoice-document";
import type { InvoiceLineDraft } from "./invoice-math";
import {
  type CreditNoteSnapshot,
  findInvoice,
  findLines,
  getInvoice,
  type InvoiceDetailView,
  invoiceReaderOf,
} from "./read-invoices";
import { takeInvoiceNumber } from "./take-invoice-number";

const { invoices } = schema;

export const creditNoteInput = z.object({
  invoiceId: uuid,
  reason: z.string().trim().min(1, { message: "is required" }).max(500, { message: "must be at most 500 characters" }),
});

/**
 * Corrects a finalized invoice: a credit note negating each of its lines (finalized at once, with
 * its own number), and a fresh draft of the month from the current data.
 */
export async function issueCreditNote(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string; reason: string },
  deps: { now?: Clock } = {},
): Promise<{ creditNote: InvoiceDetailView; draft: DraftOutcome }> {
  const reader = invoiceReaderOf(scope);
  const now = (deps.now ?? systemClock)();
  const { invoice } = await findInvoice(reader, tx, input.invoiceId, { lock: true });
  if (invoice.kind !== "invoice" || invoice.status !== "finalized" || !invoice.number) {
    throw new AppError("INVALID_STATE", "Only a finalized invoice can be credited", { reason: "not_finalized" });
  }
  const standing = await findStandingInvoice(tx, invoice);
  if (standing?.id !== invoice.id) {
    throw new AppError("CONFLICT", "A credit note already corrects this invoice", { reason: "already_credited" });
  }
  const agency = await getAgencyRow(tx, scope.agencyId);
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
