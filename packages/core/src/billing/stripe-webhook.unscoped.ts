/**
 * Stripe's webhook, before the tenant is known: the event is verified (`Stripe-Signature`) first,
 * then the Parley agency and invoice ids Parley put in the Stripe invoice's metadata choose the
 * tenant. Only the Stripe invoice Parley recorded for that invoice moves it.
 *
 * Choices, written down once:
 * - Every status change is audited in the same transaction (`invoice.payment_status_changed`,
 *   no actor: Stripe is the system acting), with the status before and after and the Stripe event
 *   id and type.
 * - Stripe delivers at least once and in no guaranteed order. A delivery whose event id is already
 *   in the invoice's audit trail changes and audits nothing (`duplicate_event`); the invoice row is
 *   locked first, so two copies delivered at once are decided one after the other.
 * - The status follows Stripe's own invoice life cycle: `open` → `paid` | `void` | `uncollectible`,
 *   `uncollectible` → `paid` | `void`; `paid` and `void` are final. A late event that would move an
 *   invoice backwards (marked uncollectible after it was paid) is acknowledged and ignored
 *   (`transition_not_allowed`), as is one that would not change it (`status_unchanged`).
 */
import type { StripeGateway } from "@parley/contracts/billing";
import { type Database, schema, withTenant } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";

const { invoices, auditEvents } = schema;

type PaymentStatus = (typeof invoices.$inferSelect)["paymentStatus"];

/** Stripe invoice events and the payment status each moves a Parley invoice to. */
export const paymentStatusOfStripeEvent: Readonly<Record<string, "paid" | "void" | "uncollectible">> = {
  "invoice.paid": "paid",
  "invoice.voided": "void",
  "invoice.marked_uncollectible": "uncollectible",
};

export const PAYMENT_STATUS_CHANGED_ACTION = "invoice.payment_status_changed";

/** The payment statuses a Stripe event may move an invoice to, from each status. */
const allowedTransitions: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  none: [],
  open: ["paid", "void", "uncollectible"],
  uncollectible: ["paid", "void"],
  paid: [],
  void: [],
};

export type StripeWebhookOutcome =
  | { handled: true; invoiceId: string; paymentStatus: PaymentStatus; previousStatus: PaymentStatus }
  | { handled: false; reason: "event_ignored" | "not_a_parley_invoice" | "invoice_not_found" }
  | {
      handled: false;
      reason: "duplicate_event" | "status_unchanged" | "transition_not_allowed";
      invoiceId: string;
      paymentStatus: PaymentStatus;
    };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Verifies and applies one webhook delivery; a bad signature throws UNAUTHENTICATED and changes nothing. */
export async function receiveStripeWebhook(
  db: Database,
  stripe: StripeGateway,
  input: { payload: string; signature: string | undefined },
  deps: { now?: Clock } = {},
): Promise<StripeWebhookOutcome> {
  const event = stripe.verifyWebhook(input);
  const target = paymentStatusOfStripeEvent[event.type];
  if (!target || !event.invoice) return { handled: false, reason: "event_ignored" };
  const { parley_agency_id: agencyId, parley_invoice_id: invoiceId } = event.invoice.metadata;
  if (!agencyId || !invoiceId || !uuidPattern.test(agencyId) || !uuidPattern.test(invoiceId)) {
    return { handled: false, reason: "not_a_parley_invoice" };
  }
  const stripeInvoiceId = event.invoice.id;
  const now = (deps.now ?? systemClock)();
  return withTenant(db, { agencyId, clientIds: null }, async (tx): Promise<StripeWebhookOutcome> => {
    const [invoice] = await tx
      .select({ id: invoices.id, clientId: invoices.clientId, paymentStatus: invoices.paymentStatus })
      .from(invoices)
      .where(
        and(eq(invoices.agencyId, agencyId), eq(invoices.id, invoiceId), eq(invoices.stripeInvoiceId, stripeInvoiceId)),
      )
      .for("update");
    if (!invoice) return { handled: false, reason: "invoice_not_found" };
    const current = invoice.paymentStatus;
    const [seen] = await tx
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.agencyId, agencyId),
          eq(auditEvents.subjectType, "invoice"),
          eq(auditEvents.subjectId, invoice.id),
          eq(auditEvents.action, PAYMENT_STATUS_CHANGED_ACTION),
          sql`${auditEvents.after} ->> 'stripeEventId' = ${event.id}`,
        ),
      )
      .limit(1);
    if (seen) return { handled: false, reason: "duplicate_event", invoiceId, paymentStatus: current };
    if (current === target) return { handled: false, reason: "status_unchanged", invoiceId, paymentStatus: current };
    if (!allowedTransitions[current].includes(target)) {
      return { handled: false, reason: "transition_not_allowed", invoiceId, paymentStatus: current };
    }
    await tx.update(invoices).set({ paymentStatus: target, updatedAt: now }).where(eq(invoices.id, invoice.id));
    // A system action (no actor): recordAudit takes a signed-in scope, so the row is written here.
    await tx.insert(auditEvents).values({
      agencyId,
      clientId: invoice.clientId,
      actorUserId: null,
      action: PAYMENT_STATUS_CHANGED_ACTION,
      subjectType: "invoice",
      subjectId: invoice.id,
      before: { paymentStatus: current },
      after: { paymentStatus: target, stripeEventId: event.id, stripeEventType: event.type, stripeInvoiceId },
    });
    return { handled: true, invoiceId, paymentStatus: target, previousStatus: current };
  });
}
