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

export type StripeInvoiceStep = "customer" | "invoice" | "finalize" | `line-${number}`;

/** The idempotency key of one step of pushing one invoice. */
export function stripeIdempotencyKey(invoiceId: string, step: StripeInvoiceStep): string {
  return `parley-invoice-${invoiceId}-${step}`;
}

/** Stripe invoice events and the payment status each moves a Parley invoice to. */
export const paymentStatusOfStripeEvent: Readonly<Record<string, "paid" | "void" | "uncollectible">> = {
  "invoice.paid": "paid",
  "invoice.voided": "void",
  "invoice.marked_uncollectible": "uncollectible",
};
