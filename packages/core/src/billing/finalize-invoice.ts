/** Finalizing a reviewed draft: the agency's next number and the frozen snapshot, immutable from then on. */
import { AppError } from "@parley/contracts";
import { addDaysToLocalDate, formatMoney, paymentTermsDaysOf } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { eq } from "drizzle-orm";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { localDateOf, monthlyPeriod } from "../sla/period-aggregates";
import { assertDraft, computeDrafts, findStandingInvoice, getAgencyRow } from "./draft-invoices";
import { documentBuyer, documentSeller, parseInvoiceDocument } from "./invoice-document";
import {
  findInvoice,
  getInvoice,
  type InvoiceDetailView,
  type InvoiceSnapshot,
  invoiceReaderOf,
} from "./read-invoices";
import { takeInvoiceNumber } from "./take-invoice-number";

const { invoices } = schema;

/** The payment terms as the invoice states them beside its totals. */
function paymentTermsNote(days: number): string {
  return days === 0
    ? "Payment terms: due on receipt."
    : `Payment terms: ${days} ${days === 1 ? "day" : "days"} from the issue date.`;
}

/** When the invoice's month ends in its client's time zone: finalizing is possible from then on. */
export function invoicePeriodEnd(invoice: { periodStart: string; snapshot: unknown }): Date {
  const snapshot = invoice.snapshot as InvoiceSnapshot;
  return monthlyPeriod(invoice.periodStart.slice(0, 7), snapshot.document.period.timeZone).to;
}

/** What a draft bills, line by line, to tell whether recomputing it changed anything. */
function billed(view: InvoiceDetailView): string {
  return JSON.stringify([
    view.feesMinor,
    view.creditsMinor,
    view.totalMinor,
    view.lines.map((line) => [line.kind, line.description, line.quantity, line.unitPriceMinor, line.amountMinor]),
  ]);
}

/**
 * Recomputes the draft from the data as it stands (months never drift: the hours and contract in force then, the
 * clocks as they stopped) and refuses to finalize when that changes anything, showing the difference: an account
 * manager reviews what is frozen. The caller's transaction rolls the recomputation back with the refusal.
 */
async function assertDraftCurrent(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string; client: Awaited<ReturnType<typeof getClient>>; period: string; now: Date },
): Promise<void> {
  const reader = invoiceReaderOf(scope);
  const drafted = await getInvoice(reader, tx, { invoiceId: input.invoiceId });
  const [outcome] = await computeDrafts(scope, tx, { clients: [input.client], period: input.period, asOf: input.now });
  if (!outcome || outcome.status === "skipped") {
    throw new AppError("INVALID_STATE", outcome?.message ?? "The draft can no longer be computed", {
      reason: outcome?.reason ?? "not_computed",
    });
  }
  const current = await getInvoice(reader, tx, { invoiceId: outcome.invoice.id });
  if (billed(current) === billed(drafted)) return;
  const money = (minor: number) => formatMoney(minor, drafted.currency);
  throw new AppError(
    "CONFLICT",
    `The draft is out of date: its items, clocks or escalations changed since it was drafted (total ${money(drafted.totalMinor)} → ${money(current.totalMinor)}). Refresh it, review it, then finalize.`,
    {
      reason: "draft_stale",
      drafted: { totalMinor: drafted.totalMinor, lines: drafted.lines.length },
      current: { totalMinor: current.totalMinor, lines: current.lines.length },
    },
  );
}

/**
 * Freezes a reviewed draft: the next number, the snapshot, immutable from now on. The draft is recomputed first and
 * refused when that changes it (`draft_stale`).
 */
export async function finalizeInvoice(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string },
  deps: { now?: Clock } = {},
): Promise<InvoiceDetailView> {
  const reader = invoiceReaderOf(scope);
  const now = (deps.now ?? systemClock)();
  const { invoice } = await findInvoice(reader, tx, input.invoiceId, { lock: true });
  assertDraft(invoice);
  const snapshot = invoice.snapshot as InvoiceSnapshot;
  if (invoicePeriodEnd(invoice) > now) {
    throw new AppError("INVALID_STATE", "The month is not over yet", { reason: "period_not_over" });
  }
  const standing = await findStandingInvoice(tx, invoice);
  if (standing) {
    throw new AppError("CONFLICT", `Invoice ${standing.number} is already finalized for this month`, {
      reason: "already_finalized",
    });
  }
  const client = await getClient(scope, tx, invoice.clientId);
  await assertDraftCurrent(scope, tx, { invoiceId: invoice.id, client, period: invoice.periodStart.slice(0, 7), now });
  const agency = await getAgencyRow(tx, scope.agencyId);
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
