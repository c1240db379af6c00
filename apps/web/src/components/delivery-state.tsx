import { confirmedItemStatus, type DeliveryState, describeDeliveryState } from "@parley/contracts";
import { Show } from "solid-js";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** "sending…", "sent", "retrying (attempt 2, next at 14:05) — reason", "failed — reason", "cancelled". */
export function deliveryText(delivery: DeliveryState): string {
  return describeDeliveryState(delivery, (at) => timeFormat.format(at));
}

/** What the platform confirmed of a public action, as a badge (green sent, amber on its way, red failed). */
export function DeliveryBadge(props: { delivery: DeliveryState | null; prefix?: string }) {
  return (
    <Show when={props.delivery}>
      {(delivery) => (
        <span
          class="badge delivery-badge"
          classList={{
            "badge--success": delivery().state === "sent",
            "badge--warning": delivery().state === "sending" || delivery().state === "retrying",
            "badge--danger": delivery().state === "failed" || delivery().state === "cancelled",
          }}
          data-delivery-state={delivery().state}
        >
          {props.prefix ? `${props.prefix} ` : ""}
          {deliveryText(delivery())}
        </span>
      )}
    </Show>
  );
}

/** The item's status as confirmed by the platform ("Hiding…" until the hide is sent), else its own label. */
export function confirmedStatusLabel(
  status: string,
  delivery: DeliveryState | null,
  fallback: string,
): { label: string; tone: "pending" | "failed" | null } {
  const confirmed = confirmedItemStatus(status, delivery);
  if (!confirmed) return { label: fallback, tone: null };
  return { label: confirmed.label, tone: confirmed.failed ? "failed" : confirmed.pending ? "pending" : null };
}
