/**
 * The Stripe adapter: the `StripeGateway` port (@parley/contracts/billing) over the stripe SDK.
 *
 * - `apiBase` (STRIPE_API_BASE) points the SDK at another server, e.g. a local test server that
 *   records requests; default Stripe's own API.
 * - Invoices are `send_invoice`, due on the Parley invoice's due date (30 days for one without),
 *   take only the items added to them (`pending_invoice_items_behavior: exclude`) and are not
 *   auto-advanced: Parley finalizes them.
 * - Any SDK failure becomes UPSTREAM_FAILED naming the step; the push is safe to retry since every
 *   call carries its idempotency key.
 */
import { AppError } from "@parley/contracts";
import type { StripeGateway, StripeWebhookEvent } from "@parley/contracts/billing";
import Stripe from "stripe";

export interface StripeGatewayOptions {
  secretKey: string;
  /** Verifies `Stripe-Signature`; without it every webhook is refused. */
  webhookSecret?: string;
  /** e.g. "http://127.0.0.1:12111" for a local test server; default https://api.stripe.com. */
  apiBase?: string;
  /** The SDK's own retries of a failed request (default 1). */
  maxNetworkRetries?: number;
}

function upstreamFailed(step: string, error: unknown): AppError {
  const message = error instanceof Stripe.errors.StripeError ? error.message : "no answer";
  return new AppError("UPSTREAM_FAILED", `Stripe refused or did not answer (${step}): ${message}`, {
    reason: "stripe_failed",
    step,
  });
}

async function call<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw upstreamFailed(step, error);
  }
}

export function createStripeGateway(options: StripeGatewayOptions): StripeGateway {
  const base = options.apiBase ? new URL(options.apiBase) : null;
  const stripe = new Stripe(options.secretKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === "https:" ? 443 : 80),
          protocol: base.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });

  return {
    createCustomer: (input) =>
      call("customer", async () => {
        const [line1, ...rest] = input.addressLines;
        const customer = await stripe.customers.create(
          {
            name: input.name,
            ...(input.email ? { email: input.email } : {}),
            // Parley keeps a free-form address: its first line, then the others on Stripe's second line.
            ...(line1 ? { address: { line1, ...(rest.length > 0 ? { line2: rest.join(", ") } : {}) } } : {}),
            metadata: input.metadata,
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return { id: customer.id };
      }),

    createInvoice: (input) =>
      call("invoice", async () => {
        const invoice = await stripe.invoices.create(
          {
            customer: input.customerId,
            currency: input.currency.toLowerCase(),
            description: input.description,
            metadata: input.metadata,
            collection_method: "send_invoice",
            // Stripe shows a timestamp's date in the account's zone: noon UTC keeps the calendar day.
            ...(input.dueOn
              ? { due_date: Math.floor(Date.parse(`${input.dueOn}T12:00:00Z`) / 1000) }
              : { days_until_due: 30 }),
            ...(input.customFields.length > 0 ? { custom_fields: [...input.customFields] } : {}),
            auto_advance: false,
            pending_invoice_items_behavior: "exclude",
          },
          { idempotencyKey: input.idempotencyKey },
        );
        if (!invoice.id) throw new Error("Stripe returned an invoice without an id");
        return { id: invoice.id };
      }),

    addInvoiceLine: (input) =>
      call("invoice item", async () => {
        await stripe.invoiceItems.create(
          {
            customer: input.customerId,
            invoice: input.invoiceId,
            currency: input.currency.toLowerCase(),
            amount: input.amountMinor,
            description: input.description,
          },
          { idempotencyKey: input.idempotencyKey },
        );
      }),

    finalizeInvoice: (input) =>
      call("finalize", async () => {
        const invoice = await stripe.invoices.finalizeInvoice(
          input.invoiceId,
          { auto_advance: false },
          { idempotencyKey: input.idempotencyKey },
        );
        return { id: input.invoiceId, status: invoice.status ?? "open" };
      }),

    verifyWebhook(input): StripeWebhookEvent {
      if (!options.webhookSecret) {
        throw new AppError("UNAUTHENTICATED", "Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)", {
          reason: "stripe_webhook_not_configured",
        });
      }
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(input.payload, input.signature ?? "", options.webhookSecret);
      } catch {
        throw new AppError("UNAUTHENTICATED", "The Stripe-Signature header does not match the payload", {
          reason: "invalid_signature",
        });
      }
      const object = event.data.object as { object?: string; id?: string; metadata?: Record<string, string> | null };
      const invoice =
        object.object === "invoice" && object.id ? { id: object.id, metadata: object.metadata ?? {} } : null;
      return { id: event.id, type: event.type, invoice };
    },
  };
}
