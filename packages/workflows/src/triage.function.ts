import type { TriageActionType, TriageStore } from "@parley/core/escalations";
import { type Clock, serializeWakeup, systemClock } from "@parley/core/kernel";
import type { ParleyInngest } from "./client";
import { DEFAULT_MAX_ITERATIONS, itemFlowOptions, itemFlowWaits, runFlowLoop } from "./flow-loop";

export const TRIAGE_FUNCTION_ID = "triage-item";

export interface CreateTriageFunctionOptions {
  inngest: ParleyInngest;
  store: TriageStore;
  /** The clock read inside each advance step (memoized with the step's result). */
  now?: Clock;
  /** Concurrent steps per agency. */
  concurrencyPerAgency?: number;
  maxIterations?: number;
}

/**
 * Triage of one item (docs/ARCHITECTURE.md §3 Triage, §6): acknowledge, escalate, follow up. Triggered by
 * `moderation/item.received`; once per item (idempotency on the item id); cancelled when the item
 * is deleted. The escalation's answer arrives as `escalations/escalation.resolved` for the item;
 * the event only wakes the run — the store reads the answer from the database.
 */
export function createTriageFunction({
  inngest,
  store,
  now = systemClock,
  concurrencyPerAgency = 10,
  maxIterations = DEFAULT_MAX_ITERATIONS,
}: CreateTriageFunctionOptions) {
  return inngest.createFunction(
    {
      id: TRIAGE_FUNCTION_ID,
      name: "Triage an item: acknowledge, escalate, follow up",
      ...itemFlowOptions(concurrencyPerAgency),
    },
    async ({ event, step }) => {
      const target = { agencyId: event.data.agencyId, itemId: event.data.itemId };
      return runFlowLoop(
        {
          advance: (stepId) =>
            step.run(stepId, async () => {
              const { next, actions } = await store.advance(target, now());
              const performed: TriageActionType[] = actions.map((action) => action.type);
              return { next: serializeWakeup(next), performed };
            }),
          ...itemFlowWaits(step),
        },
        maxIterations,
      );
    },
  );
}
