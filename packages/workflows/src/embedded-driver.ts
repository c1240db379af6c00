import type { TriageStore } from "@parley/core/escalations";
import type { WakeupQueue, WakeupRecord } from "@parley/core/flows";
import {
  type AdvanceResult,
  type Clock,
  type FlowName,
  type FlowTarget,
  systemClock,
  type Wakeup,
  wakeupDeadline,
} from "@parley/core/kernel";
import type { ClockStore } from "@parley/core/sla";
import { createPoller } from "./poller";
import { retryWakeupLater } from "./wakeup-retry";

/**
 * Runs the durable flows without an Inngest server (the embedded default): polls the persisted
 * wake-ups that are due, calls the same `advance` use cases the Inngest functions call, and
 * persists the next wake-up; a failed advance is retried later (`retryWakeupLater`). A restart loses nothing
 * (the wake-ups are in the database) and two processes never double-act (claims are leased, `FOR UPDATE SKIP
 * LOCKED` in PostgreSQL).
 *
 * Events map onto the queue: where Inngest would deliver `escalations/escalation.resolved` to a
 * waiting run, the embedded mode calls `wakeups.notify(...)`, making the wake-up due at once.
 */
export interface EmbeddedDriverOptions {
  store: TriageStore;
  /** Omit to leave SLA clocks unwatched (their wake-ups then fail and are retried). */
  clockStore?: ClockStore;
  wakeups: WakeupQueue;
  now?: Clock;
  /** Pause between polls when the last one found less than a full batch. */
  pollMs?: number;
  batchSize?: number;
  /** How long a claim stays exclusive; an advance must finish well within it. */
  leaseMs?: number;
  /** A failed advance (with its wake-up, retried later) or a failed poll (null). */
  onError?: (error: unknown, wakeup: WakeupRecord | null) => void;
}

export interface EmbeddedDriver {
  /** Claims and advances one batch of due wake-ups; resolves to how many were claimed. */
  tick(): Promise<number>;
  /** Polls until `stop()`. */
  start(): void;
  /** Stops polling and waits for the batch in flight. */
  stop(): Promise<void>;
}

export function createEmbeddedDriver({
  store,
  clockStore,
  wakeups,
  now = systemClock,
  pollMs = 1_000,
  batchSize = 20,
  leaseMs = 5 * 60_000,
  onError = () => {},
}: EmbeddedDriverOptions): EmbeddedDriver {
  const advancers: Record<FlowName, ((target: FlowTarget, at: Date) => Promise<AdvanceResult<unknown>>) | null> = {
    triage: (target, at) => store.advance(target, at),
    "sla-watch": clockStore ? (target, at) => clockStore.advance(target, at) : null,
  };

  async function advanceOne(wakeup: WakeupRecord): Promise<void> {
    const target = { agencyId: wakeup.agencyId, itemId: wakeup.itemId };
    let next: Wakeup;
    try {
      const advance = advancers[wakeup.flow];
      if (!advance) throw new Error(`No store for the "${wakeup.flow}" flow`);
      ({ next } = await advance(target, now()));
    } catch (error) {
      onError(error, wakeup);
      await retryWakeupLater(wakeups, wakeup, now());
      return;
    }
    const dueAt = wakeupDeadline(next);
    if (!dueAt) await wakeups.complete(wakeup.id);
    else
      await wakeups.reschedule(wakeup.id, {
        dueAt,
        waitingFor: next.kind === "event" ? next.event : null,
        attempts: 0,
      });
  }

  async function tick(): Promise<number> {
    const claimed = await wakeups.claimDue(now(), batchSize, leaseMs);
    // One at a time: the machines are small and the database is shared with the API.
    for (const wakeup of claimed) await advanceOne(wakeup);
    return claimed.length;
  }

  const poller = createPoller({
    everyMs: pollMs,
    run: async () => (await tick()) >= batchSize,
    onError: (error) => onError(error, null),
  });

  return {
    tick,
    start: () => poller.start(),
    stop: () => poller.stop(),
  };
}
