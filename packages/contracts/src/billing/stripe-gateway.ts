/**
 * What core needs from Stripe to push a finalized invoice, and what a verified Stripe webhook tells it: the port
 * core's invoice push uses (@parley/core/billing) and the adapter implements (@parley/connectors/stripe).
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
