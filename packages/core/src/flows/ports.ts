import type { FlowName, WakeupEvent } from "../kernel/wakeup";

export interface WakeupRecord {
  id: string;
  flow: FlowName;
  agencyId: string;
  itemId: string;
  dueAt: Date;
  /** The event that brings the wake-up forward (see `notify`), or null for a plain timer. */
  waitingFor: WakeupEvent | null;
  /** Failed advances in a row. */
  attempts: number;
}

/**
 * Persisted wake-up times for running the flows without an Inngest server (the embedded driver).
 * One wake-up per (flow, item). The PostgreSQL implementation claims with `FOR UPDATE SKIP LOCKED`
 * and a lease, so two processes never advance the same item at once; a crashed process's lease
 * simply runs out and the (idempotent) advance runs again.
 */
export interface WakeupQueue {
  /** Arms the flow for an item at `dueAt`; an existing wake-up keeps the earlier of the two times. */
  schedule(input: { flow: FlowName; agencyId: string; itemId: string; dueAt: Date }): Promise<void>;
  /**
   * `event` arrived for `itemId`: its wake-ups waiting for that event become due at `now`, and so
   * does a claimed one whatever it waits for (its advance may have read the state before the
   * change). Returns how many.
   */
  notify(input: { event: WakeupEvent; itemId: string }, now: Date): Promise<number>;
  /** Claims up to `limit` wake-ups due at `now` for `leaseMs`; no one else claims them meanwhile. */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<WakeupRecord[]>;
  /**
   * Releases a claimed wake-up, due again at `dueAt`. Must not push back a wake-up that was
   * notified or scheduled while claimed (the advance may have read the state before that change):
   * it then stays due at that earlier time.
   */
  reschedule(id: string, next: { dueAt: Date; waitingFor: WakeupEvent | null; attempts: number }): Promise<void>;
  /** The flow is done for the item: removes the wake-up (unless re-armed while claimed, as above). */
  complete(id: string): Promise<void>;
}
