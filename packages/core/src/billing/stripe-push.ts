/**
 * What core needs from Stripe to push a finalized invoice, and what a verified Stripe webhook tells
 * it. The adapter (@parley/connectors/stripe) implements it over the stripe SDK; tests point that
 * adapter at a local HTTP server.
 *
 * Every call carries an idempotency key derived from the Parley invoice id and the step
 * (`parley-invoice-<id>-customer`, `-invoice`, `-line-<position>`, `-finalize`): Stripe answers a
 * repeated key with the first answer, so a push retried after a failure anywhere mid-way creates
 * nothing twice.
 */

export interface StripeGateway {
  /** The client as a Stripe customer, with the billing e-mail and address its invoice prints. */
  createCustomer(input: {
    name: string;
    email: string | null;
    addressLines: readonly string[];
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<{ id: string }>;
  /**
   * A draft Stripe invoice that takes only the items added to it explicitly, due on the Parley invoice's due
   * date (null: the adapter's default term), with `customFields` printed on it (the buyer's tax id).
   */
  createInvoice(input: {
    customerId: string;
    currency: string;
    description: string;
    dueOn: string | null;
    customFields: ReadonlyArray<{ name: string; value: string }>;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<{ id: string }>;
  addInvoiceLine(input: {
    customerId: string;
    invoiceId: string;
    currency: string;
    /** Whole minor units; negative for a service credit. */
    amountMinor: number;
    description: string;
    idempotencyKey: string;
  }): Promise<void>;
  finalizeInvoice(input: { invoiceId: string; idempotencyKey: string }): Promise<{ id: string; status: string }>;
  /** Verifies a webhook's `Stripe-Signature` over the raw body; throws UNAUTHENTICATED when it does not match. */
  verifyWebhook(input: { payload: string; signature: string | undefined }): StripeWebhookEvent;
}

/** A verified Stripe event, reduced to what Parley reads. */
export interface StripeWebhookEvent {
  id: string;
  type: string;
  /** For `invoice.*` events: the Stripe invoice and the Parley ids Parley put in its metadata. */
  invoice: { id: string; metadata: Record<string, string> } | null;
}

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
