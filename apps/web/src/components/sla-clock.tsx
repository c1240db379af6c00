import { formatZonedTime } from "@parley/contracts";
import { agencyDefaultLabel } from "@parley/contracts/billing";
import { useQuery } from "@tanstack/solid-query";
import { type Accessor, createMemo, Show } from "solid-js";
import { useSession } from "../auth";
import { trpc } from "../trpc";
import {
  clockMetricLabels,
  escalationKeys,
  formatMsLeft,
  msLeftNow,
  type SlaBoard,
  type SlaBoardEntry,
  slaStateLabels,
  slaStateNow,
} from "./escalations";

/**
 * The SLA board (open items with their running clocks, true totals, today's breaches) of the clients the caller
 * sees, or of one client; a page of `pageSize` items, most pressing first.
 */
export function useSlaBoard(
  clientId: Accessor<string | undefined> = () => undefined,
  page: Accessor<number> = () => 0,
  pageSize = 50,
) {
  const session = useSession();
  return useQuery(() => ({
    queryKey: [...escalationKeys.slaBoard(session.agencyId(), clientId()), page(), pageSize],
    queryFn: () => trpc.sla.board.query({ ...(clientId() ? { clientId: clientId() } : {}), page: page(), pageSize }),
    staleTime: 15_000,
    refetchInterval: 60_000,
  }));
}

/** The most pressing running clock of each item (the one with the least time left; paused ones last). */
export function createClocksByItem(
  board: Accessor<Pick<SlaBoard, "items"> | { items: Array<{ clocks: SlaBoardEntry[] }> } | undefined>,
): Accessor<Map<string, SlaBoardEntry>> {
  return createMemo(() => {
    const byItem = new Map<string, SlaBoardEntry>();
    for (const entry of board()?.items.flatMap((item) => item.clocks) ?? []) {
      const current = byItem.get(entry.itemId);
      const rank = (candidate: SlaBoardEntry) => (candidate.state === "paused" ? 1 : 0);
      if (!current || rank(entry) < rank(current) || (rank(entry) === rank(current) && entry.msLeft < current.msLeft)) {
        byItem.set(entry.itemId, entry);
      }
    }
    return byItem;
  });
}

/** A clock's time left, ticking with `now`, coloured by state (neutral, amber at risk, red breached). */
export function SlaClock(props: { entry: SlaBoardEntry; boardAt: Date; now: number; showMetric?: boolean }) {
  const left = () => msLeftNow(props.entry, props.boardAt, props.now);
  const state = () => slaStateNow(props.entry, props.boardAt, props.now);
  const metric = () => clockMetricLabels[props.entry.metric] ?? props.entry.metric;
  return (
    <span
      class={`sla-clock sla-clock--${state()}`}
      role="timer"
      aria-live="off"
      title={`${metric()} (${props.entry.targetMinutes} min${props.entry.calendarKind === "business_hours" ? " in business hours" : ""}${props.entry.contractId ? "" : `, ${agencyDefaultLabel}`}) due ${formatZonedTime(props.entry.dueAt, props.entry.timeZone)} · ${props.entry.note ?? slaStateLabels[state()]}`}
    >
      <Show when={props.showMetric}>
        <span class="sla-clock__metric">{metric()}</span>{" "}
      </Show>
      <span class="sla-clock__time">
        {state() === "breached" ? `${formatMsLeft(Math.abs(left()))} over` : formatMsLeft(left())}
      </span>
      <span class="sla-clock__state">{props.entry.note ?? slaStateLabels[state()]}</span>
      <Show when={!props.entry.contractId}>
        <span class="sla-clock__source">· {agencyDefaultLabel}</span>
      </Show>
    </span>
  );
}
