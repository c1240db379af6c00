import type { WakeupQueue, WakeupRecord } from "@parley/core/flows";

/** Delay before a failed wake-up is tried again, by its failures so far (1, 2, …): 1 min, 2, 4 … at most an hour. */
export const wakeupRetryDelayMs = (attempts: number) => Math.min(60_000 * 2 ** (attempts - 1), 60 * 60_000);

/**
 * The one retry of a failed wake-up, whoever failed it (the embedded driver's advance, the Inngest relay's send):
 * due again after `wakeupRetryDelayMs`, waiting for what it waited for, its failures counted.
 */
export function retryWakeupLater(
  wakeups: Pick<WakeupQueue, "reschedule">,
  wakeup: Pick<WakeupRecord, "id" | "attempts" | "waitingFor">,
  at: Date,
): Promise<void> {
  const attempts = wakeup.attempts + 1;
  return wakeups.reschedule(wakeup.id, {
    dueAt: new Date(at.getTime() + wakeupRetryDelayMs(attempts)),
    waitingFor: wakeup.waitingFor,
    attempts,
  });
}
