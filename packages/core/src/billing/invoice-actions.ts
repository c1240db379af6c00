/** What can be done with an invoice now, so screens offer only actions the server would accept. */
import type { Executor } from "@parley/db";
import { type Clock, systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import { invoicePeriodEnd } from "./finalize-invoice";
import { findInvoice, invoiceReaderOf } from "./read-invoices";

export interface InvoiceActionsView {
  /** A draft invoice whose month is over in its client's time zone; `finalizableFrom` says when otherwise. */
  finalize: { available: boolean; finalizableFrom: Date | null };
  /** Whether this server can push to Stripe at all (STRIPE_SECRET_KEY set); the owner is told how when not. */
  pushToStripe: { configured: boolean };
}

export async function getInvoiceActions(
  scope: Scope,
  tx: Executor,
  input: { invoiceId: string },
  deps: { stripeConfigured: boolean; now?: Clock },
): Promise<InvoiceActionsView> {
  const { invoice } = await findInvoice(invoiceReaderOf(scope), tx, input.invoiceId);
  const isDraft = invoice.status === "draft" && invoice.kind === "invoice";
  const periodEnd = invoicePeriodEnd(invoice);
  const monthOver = periodEnd.getTime() <= (deps.now ?? systemClock)().getTime();
  return {
    finalize: { available: isDraft && monthOver, finalizableFrom: isDraft && !monthOver ? periodEnd : null },
    pushToStripe: { configured: deps.stripeConfigured },
  };
}
