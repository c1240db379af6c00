/**
 * Pushing a finalized invoice to Stripe through the `StripeGateway` port (@parley/contracts/billing), which
 * the adapter (@parley/connectors/stripe) implements over the stripe SDK; tests point that adapter at a local
 * HTTP server.
 *
 * Every call carries an idempotency key derived from the Parley invoice id and the step
 * (`parley-invoice-<id>-customer`, `-invoice`, `-line-<position>`, `-finalize`): Stripe answers a
 * repeated key with the first answer, so a push retried after a failure anywhere mid-way creates
 * nothing twice.
 */

import { AppError } from "@parley/contracts";
import type { StripeGateway } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { eq } from "drizzle-orm";
import { getClient } from "../agencies/clients";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import {
  findInvoice,
  findLines,
  type InvoiceSnapshot,
  type InvoiceView,
  invoiceReaderOf,
  toInvoiceView,
} from "./read-invoices";

const { clients, invoices } = schema;

export type StripeInvoiceStep = "customer" | "invoice" | "finalize" | `line-${number}`;

/** The idempotency key of one step of pushing one invoice. */
export function stripeIdempotencyKey(invoiceId: string, step: StripeInvoiceStep): string {
  return `parley-invoice-${invoiceId}-${step}`;
}

/**
 * Pushes a finalized invoice to Stripe: the customer (created once per client), the invoice, one
 * invoice item per non-zero line, then finalizes it. Idempotent end to end (see the idempotency keys above).
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
