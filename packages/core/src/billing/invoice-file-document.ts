/**
 * What the PDF and the lines CSV of `/v1/invoices/{id}` render, for both kinds: an invoice's frozen
 * document, or a credit note's, assembled from the credit note's own lines and number and the
 * frozen document of the invoice it corrects (createCreditNoteDocument). Reads through the same
 * reader checks as every invoice read.
 */
import { AppError } from "@parley/contracts";
import type { Executor } from "@parley/db";
import { localDateOf } from "../sla/period-aggregates";
import { createCreditNoteDocument, type InvoiceDocument, type InvoiceDocumentLine } from "./invoice-document";
import { getInvoice, getInvoiceDocument, type InvoiceReader } from "./invoices";

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
