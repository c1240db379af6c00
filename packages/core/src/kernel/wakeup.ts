/**
 * What a durable flow waits for after an `advance…` decision. Pure values shared by the
 * decision functions, the Inngest functions (`step.sleepUntil` / `step.waitForEvent`) and the
 * embedded driver (a persisted wake-up time).
 */

/** Events a flow can wait for; every one carries `data.itemId`, which is what a wait matches on. */
export const wakeupEvents = ["escalations/escalation.resolved", "sla/clock.resumed"] as const;
export type WakeupEvent = (typeof wakeupEvents)[number];

export type Wakeup =
  /** Sleep until `at`, then advance again. */
  | { kind: "at"; at: Date }
  /** Advance again when `event` arrives for this item, or at `timeoutAt` at the latest. */
  | { kind: "event"; event: WakeupEvent; timeoutAt: Date }
  /** Nothing left to do. */
  | { kind: "done" };

/** The durable flows of an item: its triage, and the watch of its SLA clocks. */
export type FlowName = "triage" | "sla-watch";

/**
 * What a flow's `advance` use case is called for. Row-level security needs the tenant, hence the agency
 * travels with the item id.
 */
export interface FlowTarget {
  agencyId: string;
  itemId: string;
}

/**
 * What a flow's `advance` returns to the driver that called it (an Inngest function or the embedded driver):
 * the next wake-up, and the actions it performed (empty when a replay found nothing to do). A database-backed
 * `advance` loads the persisted state in a tenant transaction, calls the pure decision, performs the actions
 * idempotently (each action's `key` is unique in an outbox) and persists the new state.
 */
export interface AdvanceResult<TAction> {
  next: Wakeup;
  actions: TAction[];
}

/** A wake-up as it crosses a JSON boundary (an Inngest step result, a queue row). */
export type SerializedWakeup =
  | { kind: "at"; at: string }
  | { kind: "event"; event: WakeupEvent; timeoutAt: string }
  | { kind: "done" };

export const DONE: Wakeup = Object.freeze({ kind: "done" });

export function serializeWakeup(wakeup: Wakeup): SerializedWakeup {
  switch (wakeup.kind) {
    case "at":
      return { kind: "at", at: wakeup.at.toISOString() };
    case "event":
      return { kind: "event", event: wakeup.event, timeoutAt: wakeup.timeoutAt.toISOString() };
    case "done":
      return { kind: "done" };
  }
}

export function parseWakeup(wakeup: SerializedWakeup): Wakeup {
  switch (wakeup.kind) {
    case "at":
      return { kind: "at", at: new Date(wakeup.at) };
    case "event":
      return { kind: "event", event: wakeup.event, timeoutAt: new Date(wakeup.timeoutAt) };
    case "done":
      return DONE;
  }
}

/** The instant after which the flow must advance even if nothing else happens; null when done. */
export function wakeupDeadline(wakeup: Wakeup): Date | null {
  if (wakeup.kind === "at") return wakeup.at;
  if (wakeup.kind === "event") return wakeup.timeoutAt;
  return null;
}

/**
 * One wake-up standing for several (e.g. an item's clocks): the earliest deadline, waiting for an
 * event when any of them does (an event only ever brings the advance forward, which is harmless
 * because advancing is idempotent). Done when all are done.
 */
export function combineWakeups(wakeups: readonly Wakeup[]): Wakeup {
  let earliest: Date | null = null;
  let event: WakeupEvent | null = null;
  for (const wakeup of wakeups) {
    const deadline = wakeupDeadline(wakeup);
    if (deadline && (!earliest || deadline < earliest)) earliest = deadline;
    if (wakeup.kind === "event") event ??= wakeup.event;
  }
  if (!earliest) return DONE;
  return event ? { kind: "event", event, timeoutAt: earliest } : { kind: "at", at: earliest };
}
