/**
 * An item's SLA in words, as the contract judges it: each clock with its target and calendar, where the target came
 * from ("Cobalt Bank's contract", "agency default (no contract)"), its due and stop times in the client's zone
 * (named), why a paused clock is not counting, and the targets the contract leaves out for the item's priority.
 */
import { formatZonedTime } from "@parley/contracts";
import { For, Show } from "solid-js";
import type { RouterOutputs } from "../trpc";
import { clockMetricLabels } from "./escalations";

export type ItemSla = NonNullable<RouterOutputs["items"]["get"]["sla"]>;
type ItemClock = ItemSla["clocks"][number];

export const clockStateLabels: Record<ItemClock["state"], string> = {
  running: "On track",
  at_risk: "At risk",
  paused: "Paused",
  breached: "Breached",
  met: "Met",
  missed: "Breached",
};

/** "24x7" or "business hours": what the target's minutes count. */
export function calendarWords(kind: string | undefined): string {
  return kind === "business_hours" ? "business hours" : "24x7";
}

export function ItemSlaSummary(props: { sla: ItemSla }) {
  const when = (at: Date) => formatZonedTime(at, props.sla.timeZone);
  const stateOf = (clock: ItemClock) => (clock.state === "missed" ? "breached" : clock.state);
  return (
    <section class="item-sla" aria-label="SLA">
      <ul class="item-sla__clocks">
        <For each={props.sla.clocks}>
          {(clock) => (
            <li class={`item-sla__clock sla-text--${stateOf(clock)}`}>
              <strong>{clockMetricLabels[clock.metric] ?? clock.metric}</strong> {clock.targetMinutes} min (
              {calendarWords(clock.calendarKind)}, {props.sla.source}) · {clockStateLabels[clock.state]} · due{" "}
              {when(clock.dueAt)}
              <Show when={clock.stoppedAt}>{(at) => <> · answered {when(at())}</>}</Show>
              <Show when={clock.note}>{(note) => <> · {note()}</>}</Show>
            </li>
          )}
        </For>
        <For each={props.sla.withoutTarget}>{(sentence) => <li class="item-sla__none muted">{sentence}.</li>}</For>
      </ul>
    </section>
  );
}
