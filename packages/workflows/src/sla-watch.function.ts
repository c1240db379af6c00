import { type Clock, serializeWakeup, systemClock } from "@parley/core/kernel";
import type { ClockAction, ClockStore } from "@parley/core/sla";
import type { ParleyInngest } from "./client";
import type { ClockAtRiskData, ClockBreachedData } from "./events";
import { DEFAULT_MAX_ITERATIONS, itemFlowOptions, itemFlowWaits, runFlowLoop } from "./flow-loop";

export const SLA_WATCH_FUNCTION_ID = "watch-item-sla";

export interface CreateSlaWatchFunctionOptions {
  inngest: ParleyInngest;
  store: ClockStore;
  now?: Clock;
  concurrencyPerAgency?: number;
  maxIterations?: number;
}

export type ClockTransitionEvent =
  | { id: string; name: "sla/clock.at-risk"; data: ClockAtRiskData }
  | { id: string; name: "sla/clock.breached"; data: ClockBreachedData };

/**
 * The `sla/clock.at-risk` / `sla/clock.breached` events for what an advance recorded. The event id
 * makes a resend a no-op (Inngest de-duplicates ids), matching "recorded once" in the store.
 */
export function toClockTransitionEvents(
  target: { agencyId: string; itemId: string },
  actions: readonly ClockAction[],
): ClockTransitionEvent[] {
  return actions.map((action) =>
    action.type === "mark_at_risk"
      ? {
          id: `${target.itemId}:${action.metric}:at-risk`,
          name: "sla/clock.at-risk",
          data: {
            ...target,
            metric: action.metric,
            atRiskAt: action.atRiskAt.toISOString(),
            dueAt: action.dueAt.toISOString(),
          },
        }
      : {
          id: `${target.itemId}:${action.metric}:breached`,
          name: "sla/clock.breached",
          data: { ...target, metric: action.metric, dueAt: action.dueAt.toISOString() },
        },
  );
}

/**
 * Watches an item's SLA clocks (started at ingest, so also triggered by `moderation/item.received`):
 * sleeps until the next at-risk or due instant, records each transition once and emits it. A paused
 * clock waits for `sla/clock.resumed` (resuming recomputes the deadlines).
 */
export function createSlaWatchFunction({
  inngest,
  store,
  now = systemClock,
  concurrencyPerAgency = 10,
  maxIterations = DEFAULT_MAX_ITERATIONS,
}: CreateSlaWatchFunctionOptions) {
  return inngest.createFunction(
    {
      id: SLA_WATCH_FUNCTION_ID,
      name: "Watch an item's SLA clocks",
      ...itemFlowOptions(concurrencyPerAgency),
    },
    async ({ event, step }) => {
      const target = { agencyId: event.data.agencyId, itemId: event.data.itemId };
      return runFlowLoop(
        {
          advance: (stepId) =>
            step.run(stepId, async () => {
              const { next, actions } = await store.advance(target, now());
              return { next: serializeWakeup(next), emit: toClockTransitionEvents(target, actions) };
            }),
          afterAdvance: async (iteration, { emit }) => {
            if (emit.length > 0) await step.sendEvent(`emit-${iteration}`, emit);
          },
          ...itemFlowWaits(step),
        },
        maxIterations,
      );
    },
  );
}
