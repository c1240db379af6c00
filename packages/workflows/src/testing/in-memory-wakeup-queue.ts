import type { WakeupQueue, WakeupRecord } from "@parley/core/flows";
import type { FlowName, WakeupEvent } from "@parley/core/kernel";

interface Row extends WakeupRecord {
  leasedUntil: Date | null;
  /** Set when notified or scheduled while claimed: the reschedule must not push past it. */
  rearmedAt: Date | null;
}

/**
 * FOR TESTS ONLY: a `WakeupQueue` in a Map, with the same claim/lease semantics the PostgreSQL
 * implementation (FOR UPDATE SKIP LOCKED) must have.
 */
export class InMemoryWakeupQueue implements WakeupQueue {
  private readonly rows = new Map<string, Row>();

  async schedule({ flow, agencyId, itemId, dueAt }: { flow: FlowName; agencyId: string; itemId: string; dueAt: Date }) {
    const id = `${flow}:${itemId}`;
    const row = this.rows.get(id);
    if (!row) {
      this.rows.set(id, {
        id,
        flow,
        agencyId,
        itemId,
        dueAt,
        waitingFor: null,
        attempts: 0,
        leasedUntil: null,
        rearmedAt: null,
      });
      return;
    }
    if (dueAt < row.dueAt) row.dueAt = dueAt;
    if (row.leasedUntil) row.rearmedAt = earliest(row.rearmedAt, dueAt);
  }

  async notify({ event, itemId }: { event: WakeupEvent; itemId: string }, now: Date) {
    let woken = 0;
    for (const row of this.rows.values()) {
      // A claimed wake-up is re-armed whatever it waited for: its advance may have read the state
      // before this event's change and be about to wait for exactly this event.
      if (row.itemId !== itemId || (row.waitingFor !== event && !row.leasedUntil)) continue;
      woken++;
      if (row.dueAt > now) row.dueAt = now;
      if (row.leasedUntil) row.rearmedAt = earliest(row.rearmedAt, now);
    }
    return woken;
  }

  async claimDue(now: Date, limit: number, leaseMs: number) {
    const due = [...this.rows.values()]
      .filter((row) => row.dueAt <= now && (!row.leasedUntil || row.leasedUntil <= now))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
      .slice(0, limit);
    for (const row of due) {
      row.leasedUntil = new Date(now.getTime() + leaseMs);
      row.rearmedAt = null;
    }
    return due.map(toRecord);
  }

  async reschedule(id: string, next: { dueAt: Date; waitingFor: WakeupEvent | null; attempts: number }) {
    const row = this.rows.get(id);
    if (!row) return;
    row.dueAt = earliest(row.rearmedAt, next.dueAt)!;
    row.waitingFor = next.waitingFor;
    row.attempts = next.attempts;
    row.leasedUntil = null;
    row.rearmedAt = null;
  }

  async complete(id: string) {
    const row = this.rows.get(id);
    if (!row) return;
    if (row.rearmedAt) {
      row.dueAt = row.rearmedAt;
      row.leasedUntil = null;
      row.rearmedAt = null;
      return;
    }
    this.rows.delete(id);
  }

  /** Test helpers. */
  list(): WakeupRecord[] {
    return [...this.rows.values()].map(toRecord);
  }

  nextDueAt(): Date | null {
    let next: Date | null = null;
    for (const row of this.rows.values()) if (!row.leasedUntil) next = earliest(next, row.dueAt);
    return next;
  }
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a <= b ? a : b;
}

function toRecord({ leasedUntil: _leased, rearmedAt: _rearmed, ...record }: Row): WakeupRecord {
  return { ...record };
}
