import type { SerializedWakeup, WakeupEvent } from "@parley/core/escalations";

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
