import type { SerializedWakeup, WakeupEvent } from "@parley/core/kernel";
import { itemDeleted, itemReceived } from "./events";

/**
 * The loop every durable flow runs under Inngest: `step.run(advance) → step.sleepUntil /
 * step.waitForEvent` until the decision says done. What happens next is decided by the store's
 * `advance` (core); this only turns its wake-up into the matching Inngest step.
 *
 * Step ids carry the iteration (`advance-0`, `wait-0`, `advance-1`, …) so a replay finds each
 * step's memoized result and tests can mock them by id.
 */
export interface FlowLoopSteps<TAdvanced extends { next: SerializedWakeup }> {
  advance(stepId: string): Promise<TAdvanced>;
  afterAdvance?(iteration: number, advanced: TAdvanced): Promise<void>;
  sleepUntil(stepId: string, at: string): Promise<unknown>;
  /** Waits for `event` with the same `data.itemId` as the triggering event, until `timeoutAt`. */
  waitForEvent(stepId: string, event: WakeupEvent, timeoutAt: string): Promise<unknown>;
}

export interface FlowLoopResult {
  /** "step_budget_exhausted": stopped before Inngest's per-run step limit; the reconciliation sweep picks the item up. */
  status: "done" | "step_budget_exhausted";
  advances: number;
}

/** Inngest allows 1,000 steps per run; each iteration uses up to three. */
export const DEFAULT_MAX_ITERATIONS = 300;

export async function runFlowLoop<TAdvanced extends { next: SerializedWakeup }>(
  steps: FlowLoopSteps<TAdvanced>,
  maxIterations = DEFAULT_MAX_ITERATIONS,
): Promise<FlowLoopResult> {
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const advanced = await steps.advance(`advance-${iteration}`);
    await steps.afterAdvance?.(iteration, advanced);
    const { next } = advanced;
    if (next.kind === "done") return { status: "done", advances: iteration + 1 };
    if (next.kind === "at") await steps.sleepUntil(`sleep-${iteration}`, next.at);
    else await steps.waitForEvent(`wait-${iteration}`, next.event, next.timeoutAt);
  }
  return { status: "step_budget_exhausted", advances: maxIterations };
}

/**
 * What every per-item flow shares: it starts with `moderation/item.received`, runs once per item (idempotency on
 * the item id), at most `concurrencyPerAgency` of an agency's steps at a time, and is cancelled when the item is
 * deleted.
 */
export function itemFlowOptions(concurrencyPerAgency: number) {
  // A tuple, so the handler's event is typed by its trigger.
  const triggers: [typeof itemReceived] = [itemReceived];
  return {
    triggers,
    concurrency: { key: "event.data.agencyId", limit: concurrencyPerAgency },
    idempotency: "event.data.itemId",
    cancelOn: [{ event: itemDeleted, match: "data.itemId" }],
  };
}

/** A per-item flow's waits: until an instant, or for an event about the same item. */
export function itemFlowWaits(step: {
  sleepUntil(id: string, at: string): Promise<unknown>;
  waitForEvent(id: string, options: { event: WakeupEvent; timeout: Date; match: string }): Promise<unknown>;
}): Pick<FlowLoopSteps<{ next: SerializedWakeup }>, "sleepUntil" | "waitForEvent"> {
  return {
    sleepUntil: (stepId, at) => step.sleepUntil(stepId, at),
    waitForEvent: (stepId, event, timeoutAt) =>
      step.waitForEvent(stepId, { event, timeout: new Date(timeoutAt), match: "data.itemId" }),
  };
}
