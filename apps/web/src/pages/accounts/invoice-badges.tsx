import { Show } from "solid-js";
import { type InvoiceSummary, type PaymentStatus, paymentStatusLabels } from "./billing";

/** "Draft", or "Finalized" with its number; credit notes say so. */
export function InvoiceStatusBadge(props: { invoice: Pick<InvoiceSummary, "status" | "kind" | "number"> }) {
  return (
    <span
      class="badge"
      classList={{
        "badge--accent": props.invoice.status === "draft",
        "badge--success": props.invoice.status === "finalized",
      }}
    >
      <Show when={props.invoice.kind === "credit_note"}>Credit note · </Show>
      {props.invoice.status === "draft" ? "Draft" : "Finalized"}
    </span>
  );
}

/** The Stripe status: none (not pushed), open, paid, void, uncollectible. */
export function PaymentBadge(props: { status: PaymentStatus }) {
  return (
    <span class={`badge accounts-payment accounts-payment--${props.status}`}>
      <span class="sr-only">Stripe status: </span>
      {paymentStatusLabels[props.status] ?? props.status}
    </span>
  );
}
