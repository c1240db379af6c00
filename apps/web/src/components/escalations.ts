/**
 * What the console, the portal and admin read from the escalations, sla and playbooks procedures (views
 * inferred from `AppRouter`), their query keys, and the SLA clock helpers shared by all three.
 */
import type { RouterOutputs } from "../trpc";

export type EscalationView = RouterOutputs["escalations"]["list"][number];
export type EscalationStatus = EscalationView["status"];
export type HandoverPacket = EscalationView["packet"];
export type EscalationPreview = RouterOutputs["escalations"]["preview"];
export type SlaBoard = RouterOutputs["sla"]["board"];
export type SlaBoardItem = SlaBoard["items"][number];
export type SlaBoardEntry = SlaBoardItem["clocks"][number];
export type SlaMonth = RouterOutputs["sla"]["month"];
export type SlaMonthTarget = SlaMonth["targets"][number];
export type SlaState = SlaBoardEntry["state"];
export type PlaybookView = RouterOutputs["playbooks"]["list"][number];
export type PlaybookDocument = PlaybookView["document"];

/** Query keys: all start with the agency id (see query.ts). */
export const escalationKeys = {
  all: (agencyId: string) => [agencyId, "escalations"] as const,
  lists: (agencyId: string) => [agencyId, "escalations", "list"] as const,
  list: (agencyId: string, status: string | undefined) => [agencyId, "escalations", "list", { status }] as const,
  one: (agencyId: string, escalationId: string) => [agencyId, "escalations", "one", escalationId] as const,
  preview: (agencyId: string, itemId: string, note: string) =>
    [agencyId, "escalations", "preview", itemId, { note }] as const,
  sla: (agencyId: string) => [agencyId, "sla"] as const,
  slaBoard: (agencyId: string, clientId: string | undefined) => [agencyId, "sla", "board", { clientId }] as const,
  slaMonth: (agencyId: string, clientId: string, month: string | undefined) =>
    [agencyId, "sla", "month", { clientId, month }] as const,
  playbooks: (agencyId: string, clientId: string) => [agencyId, "playbooks", clientId] as const,
};

export const escalationStatusLabels: Record<EscalationStatus, string> = {
  open: "Open",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
  cancelled: "Cancelled",
};

export const slaStateLabels: Record<SlaState, string> = {
  on_track: "On track",
  at_risk: "At risk",
  breached: "Breached",
  paused: "Paused",
};

export const clockMetricLabels: Record<string, string> = {
  first_response: "First response",
  resolution: "Resolution",
};

/**
 * Milliseconds left on a clock now: the board's `msLeft` was measured at `board.at`; a running clock
 * keeps counting down between refreshes, a paused one stays frozen.
 */
export function msLeftNow(entry: Pick<SlaBoardEntry, "msLeft" | "state">, boardAt: Date, now: number): number {
  if (entry.state === "paused") return entry.msLeft;
  return entry.msLeft - (now - boardAt.getTime());
}

/** The state as it stands now: a running clock turns breached when its time runs out between refreshes. */
export function slaStateNow(entry: Pick<SlaBoardEntry, "msLeft" | "state">, boardAt: Date, now: number): SlaState {
  if (entry.state === "paused" || entry.state === "breached") return entry.state;
  return msLeftNow(entry, boardAt, now) <= 0 ? "breached" : entry.state;
}

/**
 * "1:02:05", "4:05", or "−0:30" once overdue; a day or more away, days and hours ("2d 14h"), since a
 * weekend or holiday on the client's calendar can put a clock days out and its seconds are noise there.
 */
export function formatMsLeft(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(total / 86_400);
  if (days > 0) return `${ms < 0 ? "−" : ""}${days}d ${Math.floor((total % 86_400) / 3600)}h`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (value: number) => String(value).padStart(2, "0");
  const text = hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
  return ms < 0 ? `−${text}` : text;
}
