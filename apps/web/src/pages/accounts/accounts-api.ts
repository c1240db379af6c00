/**
 * The Accounts area's calls, typed once. Each wrapper states the view it expects, so a change of the
 * server's shape fails the typecheck here instead of somewhere in a page.
 */
import type { SlaMetric, SlaPriority } from "@parley/contracts/billing";
import { trpc } from "../../trpc";

export type InvoiceStatus = "draft" | "finalized";
export type InvoiceKind = "invoice" | "credit_note";
export type PaymentStatus = "none" | "open" | "paid" | "void" | "uncollectible";

export interface InvoiceSummary {
  id: string;
  clientId: string;
  clientName?: string | null;
  kind: InvoiceKind;
  status: InvoiceStatus;
  /** Local dates of the client's month, `[periodStart, periodEnd)`. */
  periodStart: string;
  periodEnd: string;
  currency: string;
  feesMinor: number;
  creditsMinor: number;
  totalMinor: number;
  number: string | null;
  /** Credit notes: the invoice they correct. */
  correctsInvoiceId?: string | null;
  paymentStatus: PaymentStatus;
  stripeInvoiceId: string | null;
  finalizedAt: Date | string | null;
}

export interface CreditEvidence {
  met: number;
  total: number;
  compliancePercent: number;
  targetPercent: number;
  tier: { fromPercent: number; toPercent: number; creditPercent: number } | null;
  creditPercent: number;
  priority: SlaPriority;
  metric: SlaMetric;
  capped?: boolean;
}

export interface InvoiceLine {
  position: number;
  kind: string;
  description: string;
  quantity: number;
  /** Decimal minor units (up to 4 decimals); may arrive as a numeric string. */
  unitPriceMinor: number | string;
  amountMinor: number;
  evidence?: CreditEvidence | null;
}

/** One SLA target of the contract and how the month went against it. */
export interface SlaSummaryRow {
  priority: SlaPriority;
  metric: SlaMetric;
  targetMinutes: number;
  calendar: string;
  total: number;
  met: number;
  compliancePercent: number;
  targetPercent: number;
  missed: boolean;
}

export interface InvoiceDetail extends InvoiceSummary {
  /** Finalized invoices: the due date (issue date + the contract's payment terms), a local date. */
  dueOn?: string | null;
  lines: InvoiceLine[];
  evidence?: {
    slaSummary?: SlaSummaryRow[] | null;
    creditCapMinor?: number | null;
    reason?: string | null;
    corrects?: { id: string; number: string | null } | null;
  } | null;
}

/** One item behind a credit line (clock fields appear when the server sends them). */
export interface BreachedItem {
  itemId: string;
  channel?: string;
  receivedAt: Date | string;
  authorHandle?: string;
  excerpt: string;
  status?: string;
  dueAt?: Date | string | null;
  stoppedAt?: Date | string | null;
  businessMinutes?: number | null;
  clientSideMinutes?: number | null;
}

export interface InvoiceListInput {
  clientId?: string;
  period?: string;
  status?: InvoiceStatus;
}

export async function listInvoices(input: InvoiceListInput): Promise<InvoiceSummary[]> {
  return await trpc.invoices.list.query(input);
}

export async function getInvoice(invoiceId: string): Promise<InvoiceDetail> {
  return await trpc.invoices.get.query({ invoiceId });
}

/** Drafts for one month; the result's shape per client is read defensively (see `describeDraftResult`). */
export async function createDrafts(input: { period: string; clientIds?: string[] }): Promise<unknown> {
  return await trpc.invoices.createDrafts.mutate(input);
}

export async function refreshInvoice(invoiceId: string): Promise<unknown> {
  return await trpc.invoices.refresh.mutate({ invoiceId });
}

export async function finalizeInvoice(invoiceId: string): Promise<unknown> {
  return await trpc.invoices.finalize.mutate({ invoiceId });
}

export async function createCreditNote(input: { invoiceId: string; reason: string }): Promise<unknown> {
  return await trpc.invoices.creditNote.mutate(input);
}

export async function pushInvoiceToStripe(invoiceId: string): Promise<unknown> {
  return await trpc.invoices.pushToStripe.mutate({ invoiceId });
}

export async function listBreachedItems(input: {
  invoiceId: string;
  priority: SlaPriority;
  metric: SlaMetric;
}): Promise<{ total: number; items: BreachedItem[] }> {
  return await trpc.invoices.breachedItems.query(input);
}

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

export function invoiceDownloads(invoiceId: string) {
  const base = `/v1/invoices/${encodeURIComponent(invoiceId)}`;
  return { pdf: `${base}.pdf`, csv: `${base}.csv`, evidenceCsv: `${base}/evidence.csv` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** An id of an invoice found in a mutation's answer (`{ id }`, `{ invoice: { id } }` or `{ invoiceId }`). */
export function invoiceIdOf(result: unknown): string | null {
  if (!isRecord(result)) return null;
  if (typeof result.invoiceId === "string") return result.invoiceId;
  if (isRecord(result.invoice) && typeof result.invoice.id === "string") return result.invoice.id;
  if (isRecord(result.creditNote) && typeof result.creditNote.id === "string") return result.creditNote.id;
  return typeof result.id === "string" ? result.id : null;
}

/** One client's outcome of `createDrafts`: created/updated, skipped (and why), or failed. */
export function describeDraftResult(result: unknown, clientId: string): { ok: boolean; text: string } {
  const entries = Array.isArray(result)
    ? result
    : isRecord(result) && Array.isArray(result.results)
      ? result.results
      : [result];
  const entry = entries.find((candidate) => isRecord(candidate) && candidate.clientId === clientId) ?? entries[0];
  if (!isRecord(entry)) return { ok: true, text: "Draft ready" };
  const message = [entry.error, entry.message, entry.reason].find((value) => typeof value === "string") as
    | string
    | undefined;
  const status = typeof entry.status === "string" ? entry.status : undefined;
  if (entry.ok === false || status === "failed" || status === "error" || (entry.error && !status)) {
    return { ok: false, text: message ?? "Failed" };
  }
  if (status === "skipped") return { ok: true, text: `Skipped${message ? `: ${message.replaceAll("_", " ")}` : ""}` };
  return { ok: true, text: message ?? (status ? status.replaceAll("_", " ") : "Draft ready") };
}

export const accountsKeys = {
  all: (agencyId: string) => [agencyId, "accounts"] as const,
  contracts: (agencyId: string, clientId: string) => [agencyId, "accounts", "contracts", clientId] as const,
  invoices: (agencyId: string, input: InvoiceListInput) => [agencyId, "accounts", "invoices", input] as const,
  allInvoices: (agencyId: string) => [agencyId, "accounts", "invoices"] as const,
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
