/**
 * What the console and the portal read from the queue, items and replies procedures (the views are the
 * server's, inferred from `AppRouter`), the query keys, and small helpers shared by both areas.
 */
import { TRPCClientError } from "@trpc/client";
import type { RouterInputs, RouterOutputs } from "../trpc";

export type QueuePage = RouterOutputs["queue"]["list"];
export type QueueItem = QueuePage["items"][number];
export type QueueCount = RouterOutputs["queue"]["counts"][number];
export type ClaimedItem = NonNullable<RouterOutputs["queue"]["claimNext"]>;
export type ItemDetail = RouterOutputs["items"]["get"];
export type ItemView = ItemDetail["item"];
export type HistoryEntry = ItemDetail["history"][number];
export type NoteView = ItemDetail["notes"][number];
export type DeliveryView = ItemDetail["deliveries"][number];
export type ReplyView = ItemDetail["replies"][number];
export type ReplyCheck = RouterOutputs["replies"]["check"];
export type ReplyCheckResult = ReplyCheck["results"][number];
export type ApprovalView = RouterOutputs["replies"]["approvals"][number];

export type Priority = QueueItem["priority"];
export type ItemStatus = QueueItem["status"];
export type ItemAuthority = QueueItem["authority"];
export type ReplyStatus = ReplyView["status"];

export const priorities = ["P1", "P2", "P3", "P4"] as const satisfies readonly Priority[];

export const itemStatusLabels: Record<ItemStatus, string> = {
  queued: "Queued",
  claimed: "Claimed",
  responded: "Responded",
  hidden: "Hidden",
  deleted: "Deleted",
  no_action: "No action",
  escalated: "Escalated",
  resolved: "Resolved",
};
export const itemStatuses = Object.keys(itemStatusLabels) as ItemStatus[];

export const replyStatusLabels: Record<ReplyStatus, string> = {
  draft: "Draft",
  pending_approval: "Pending approval",
  approved: "Approved",
  rejected: "Rejected",
  sent: "Sent",
  failed: "Failed",
};

export const authorityLabels: Record<ItemAuthority, string> = {
  respond: "May respond",
  approval: "Reply needs approval",
  triage: "Triage only: acknowledge and escalate",
};

export const kindLabels: Record<string, string> = {
  comment: "Comment",
  post: "Post",
  reply: "Reply",
  direct_message: "Direct message",
  mention: "Mention",
  review: "Review",
  forum_post: "Forum post",
};

/** The risk flags a brand protocol may set (the queue filter accepts exactly these). */
export const riskFlags = ["legal", "safety", "press", "vip", "crisis"] as const;
export type RiskFlag = (typeof riskFlags)[number];

type QueueListInput = NonNullable<Exclude<RouterInputs["queue"]["list"], void>>;
export type QueueView = NonNullable<QueueListInput["view"]>;
export type QueueSort = NonNullable<QueueListInput["sort"]>;
export const queueViews = ["queue", "mine", "at_risk", "breached"] as const satisfies readonly QueueView[];
export const queueSorts = ["queue", "due"] as const satisfies readonly QueueSort[];

export interface QueueFilters {
  clientId?: string;
  channelId?: string;
  priority?: Priority;
  status?: ItemStatus;
  riskFlag?: RiskFlag;
  view?: QueueView;
  sort?: QueueSort;
}

/** Query keys: all start with the agency id (see query.ts), then "work". */
export const workKeys = {
  all: (agencyId: string) => [agencyId, "work"] as const,
  counts: (agencyId: string) => [agencyId, "work", "counts"] as const,
  lists: (agencyId: string) => [agencyId, "work", "list"] as const,
  list: (agencyId: string, filters: QueueFilters) => [agencyId, "work", "list", filters] as const,
  items: (agencyId: string) => [agencyId, "work", "item"] as const,
  item: (agencyId: string, itemId: string) => [agencyId, "work", "item", itemId] as const,
  /** The running clocks of an item (refreshed with it). */
  itemClocks: (agencyId: string, itemId: string) => [agencyId, "work", "item", itemId, "clocks"] as const,
  approvals: (agencyId: string) => [agencyId, "work", "approvals"] as const,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** `details` of a failed tRPC call's AppError (e.g. `results` of a blocked reply). */
export function errorDetails(err: unknown): Record<string, unknown> {
  if (!(err instanceof TRPCClientError)) return {};
  const data: unknown = err.data;
  if (!isRecord(data) || !isRecord(data.appError)) return {};
  const details = data.appError.details;
  return isRecord(details) ? details : {};
}

/** Check results stored on a reply or carried by an error, whatever their container. */
export function asCheckResults(value: unknown): ReplyCheckResult[] {
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.results) ? value.results : [];
  return list.filter(
    (entry): entry is ReplyCheckResult =>
      isRecord(entry) && typeof entry.message === "string" && (entry.severity === "block" || entry.severity === "warn"),
  );
}

/** Length as the server counts it (code points, so an emoji is one character). */
export function replyLength(text: string): number {
  return [...text].length;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });

/** "3 min ago", "in 2 h"; exact dates are in the element's title. */
export function formatRelative(value: Date | string | number, now = Date.now()): string {
  const date = value instanceof Date ? value : new Date(value);
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Number.isNaN(seconds)) return "—";
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

/** "4:05" for a countdown in seconds. */
export function formatCountdown(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

/** Readable category key: "launch_outage" → "Launch outage". */
export function humanize(key: string | null | undefined): string {
  if (!key) return "Uncategorised";
  const text = key.replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
