/**
 * Stripe's webhook, before the tenant is known: the event is verified (`Stripe-Signature`) first,
 * then the Parley agency and invoice ids Parley put in the Stripe invoice's metadata choose the
 * tenant. Only the Stripe invoice Parley recorded for that invoice moves it.
 */
import { type Database, schema, withTenant } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { paymentStatusOfStripeEvent, type StripeGateway } from "./stripe-push";

export type StripeWebhookOutcome =
  | { handled: true; invoiceId: string; paymentStatus: string }
  | { handled: false; reason: "event_ignored" | "not_a_parley_invoice" | "invoice_not_found" };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Verifies and applies one webhook delivery; a bad signature throws UNAUTHENTICATED and changes nothing. */
export async function receiveStripeWebhook(
  db: Database,
  stripe: StripeGateway,
  input: { payload: string; signature: string | undefined },
): Promise<StripeWebhookOutcome> {
  const event = stripe.verifyWebhook(input);
  const paymentStatus = paymentStatusOfStripeEvent[event.type];
  if (!paymentStatus || !event.invoice) return { handled: false, reason: "event_ignored" };
  const { parley_agency_id: agencyId, parley_invoice_id: invoiceId } = event.invoice.metadata;
  if (!agencyId || !invoiceId || !uuidPattern.test(agencyId) || !uuidPattern.test(invoiceId)) {
    return { handled: false, reason: "not_a_parley_invoice" };
  }
  const stripeInvoiceId = event.invoice.id;
  const updated = await withTenant(db, { agencyId, clientIds: null }, (tx) =>
    tx
      .update(schema.invoices)
      .set({ paymentStatus, updatedAt: new Date() })
      .where(
        and(
          eq(schema.invoices.agencyId, agencyId),
          eq(schema.invoices.id, invoiceId),
          eq(schema.invoices.stripeInvoiceId, stripeInvoiceId),
        ),
      )
      .returning({ id: schema.invoices.id }),
  );
  if (updated.length === 0) return { handled: false, reason: "invoice_not_found" };
  return { handled: true, invoiceId, paymentStatus };
}
