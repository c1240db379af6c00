import type { OutboundAction } from "./outbound";

/**
 * What the platform has confirmed about a public action (a reply, hide, unhide or delete), read from its outbox row:
 * `sending` (queued or in flight), `retrying` (an attempt failed; another is due at `nextAttemptAt`), `sent` (the
 * platform accepted it), `failed` (given up, with the platform's reason), `cancelled` (a moderator gave up on it).
 * Browser-safe: the server puts it in its views, the console, the portal and `/v1/items` show it the same way.
 */
export const deliveryStates = ["sending", "retrying", "sent", "failed", "cancelled"] as const;
export type DeliveryStateName = (typeof deliveryStates)[number];

export interface DeliveryState {
  deliveryId: string;
  action: OutboundAction;
  state: DeliveryStateName;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due (`retrying` only). */
  nextAttemptAt: Date | null;
  /** The platform's reason for the last failure (`retrying`, `failed`). */
  reason: string | null;
  updatedAt: Date;
}

/** The outbox row's columns a delivery state is read from. */
export interface DeliveryRowState {
  id: string;
  action: OutboundAction;
  status: "pending" | "sent" | "failed" | "cancelled";
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  updatedAt: Date;
}

export function deliveryStateOf(row: DeliveryRowState): DeliveryState {
  const retrying = row.status === "pending" && row.attempts > 0 && row.lastError !== null;
  const state: DeliveryStateName = row.status === "pending" ? (retrying ? "retrying" : "sending") : row.status;
  return {
    deliveryId: row.id,
    action: row.action,
    state,
    attempts: row.attempts,
    nextAttemptAt: retrying ? row.nextAttemptAt : null,
    reason: state === "retrying" || state === "failed" ? row.lastError : null,
    updatedAt: row.updatedAt,
  };
}

function timeOfDay(at: Date): string {
  return at.toISOString().slice(11, 16);
}

/**
 * One line for a person: "sending…", "sent", "retrying (attempt 2, next at 14:05 UTC) — reason", "failed — reason",
 * "cancelled". `formatTime` renders the next attempt's time (the browser passes its local format).
 */
export function describeDeliveryState(
  delivery: Pick<DeliveryState, "state" | "attempts" | "nextAttemptAt" | "reason">,
  formatTime: (at: Date) => string = (at) => `${timeOfDay(at)} UTC`,
): string {
  switch (delivery.state) {
    case "sending":
      return "sending…";
    case "sent":
      return "sent";
    case "retrying":
      return `retrying (attempt ${delivery.attempts + 1}, next at ${
        delivery.nextAttemptAt ? formatTime(delivery.nextAttemptAt) : "soon"
      })${delivery.reason ? ` — ${delivery.reason}` : ""}`;
    case "failed":
      return `failed — ${delivery.reason ?? "no reason given"}`;
    case "cancelled":
      return "cancelled";
  }
}

const confirmedLabels = { hidden: "Hidden", deleted: "Deleted", responded: "Responded" } as const;
const pendingLabels = { hidden: "Hiding…", deleted: "Deleting…", responded: "Reply pending" } as const;
const failedLabels = { hidden: "Hide failed", deleted: "Delete failed", responded: "Reply failed" } as const;
const actionOfStatus = { hidden: "hide", deleted: "delete", responded: "reply" } as const;

/**
 * What an item's public state is, as confirmed: "Hidden" only once the platform confirmed the hide ("Hiding…" before,
 * "Hide failed" after a failure), "Responded" only once a reply is sent ("Reply pending" before). `latest` is the
 * item's most recent delivery. Null when the item's status needs no platform (queued, claimed, escalated…) or
 * no delivery stands behind it (an item hidden before the outbox, a brand's own post).
 */
export function confirmedItemStatus(
  status: string,
  latest: Pick<DeliveryState, "action" | "state"> | null,
): { label: string; pending: boolean; failed: boolean } | null {
  if (!(status in actionOfStatus) || !latest) return null;
  const key = status as keyof typeof actionOfStatus;
  if (latest.action !== actionOfStatus[key]) return null;
  if (latest.state === "sent") return { label: confirmedLabels[key], pending: false, failed: false };
  if (latest.state === "failed" || latest.state === "cancelled") {
    return { label: failedLabels[key], pending: false, failed: true };
  }
  return { label: pendingLabels[key], pending: true, failed: false };
}
