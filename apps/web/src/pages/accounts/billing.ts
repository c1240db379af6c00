/**
 * What the Accounts area reads from the invoices and contracts procedures (the views are the server's,
 * inferred from `AppRouter`), the query keys, and small helpers shared by its pages and the portal.
 */
import type { RouterInputs, RouterOutputs } from "../../trpc";

export type InvoiceSummary = RouterOutputs["invoices"]["list"][number];
export type InvoiceDetail = RouterOutputs["invoices"]["get"];
export type InvoiceLine = InvoiceDetail["lines"][number];
export type CreditEvidence = NonNullable<InvoiceLine["evidence"]>;
export type SlaSummaryRow = InvoiceDetail["evidence"]["slaSummary"][number];
export type InvoiceStatus = InvoiceSummary["status"];
export type PaymentStatus = InvoiceSummary["paymentStatus"];
export type InvoiceListInput = RouterInputs["invoices"]["list"];
export type DraftOutcome = RouterOutputs["invoices"]["createDrafts"][number];
export type ContractView = RouterOutputs["contracts"]["list"][number];

/**
 * The invoice that stands for a client's month: not corrected by a credit note, finalized before
 * draft (after a credit note, the new draft).
 */
export function standingInvoice(invoices: readonly InvoiceSummary[]): InvoiceSummary | undefined {
  const corrected = new Set(invoices.map((invoice) => invoice.correctsInvoiceId).filter(Boolean));
  const candidates = invoices.filter((invoice) => invoice.kind === "invoice" && !corrected.has(invoice.id));
  return candidates.find((invoice) => invoice.status === "finalized") ?? candidates[0];
}

/** Credits as they reduce the total: "−€290.68" on an invoice, "€290.68" on a credit note. */
export function creditsAmount(creditsMinor: number): number {
  return creditsMinor === 0 ? 0 : -creditsMinor;
}

/** The invoice's documents under /v1 (the session cookie authorises them). */
export function invoiceDownloads(invoiceId: string) {
  const base = `/v1/invoices/${encodeURIComponent(invoiceId)}`;
  return { pdf: `${base}.pdf`, csv: `${base}.csv`, evidenceCsv: `${base}/evidence.csv` };
}

/** One client's outcome of `createDrafts`: "created" or "refreshed", or why it was skipped. */
export function describeDraftOutcome(outcome: DraftOutcome): string {
  return outcome.status === "skipped" ? `Skipped: ${outcome.message.replaceAll("_", " ")}` : outcome.status;
}

export const accountsKeys = {
  all: (agencyId: string) => [agencyId, "accounts"] as const,
  contracts: (agencyId: string, clientId: string) => [agencyId, "accounts", "contracts", clientId] as const,
  invoices: (agencyId: string, input: InvoiceListInput) => [agencyId, "accounts", "invoices", input] as const,
  invoice: (agencyId: string, invoiceId: string) => [agencyId, "accounts", "invoice", invoiceId] as const,
  breached: (agencyId: string, invoiceId: string, priority: string, metric: string) =>
    [agencyId, "accounts", "invoice", invoiceId, "breached", priority, metric] as const,
};

export const paymentStatusLabels: Record<PaymentStatus, string> = {
  none: "Not in Stripe",
  open: "Open",
  paid: "Paid",
  void: "Void",
  uncollectible: "Uncollectible",
};
