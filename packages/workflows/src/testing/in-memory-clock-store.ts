import { type AdvanceResult, combineWakeups, type FlowTarget } from "@parley/core/kernel";
import { advanceClock, applyClockActions, type ClockAction, type ClockStore, type SlaClock } from "@parley/core/sla";

/** FOR TESTS ONLY: a `ClockStore` over a Map of each item's clocks. */
export class InMemoryClockStore implements ClockStore {
  readonly recorded: Array<{ itemId: string; at: Date; action: ClockAction }> = [];
  private readonly clocks = new Map<string, { agencyId: string; clocks: SlaClock[] }>();

  addClocks({ agencyId, itemId, clocks }: { agencyId: string; itemId: string; clocks: SlaClock[] }): void {
    this.clocks.set(itemId, { agencyId, clocks });
  }

  getClocks(itemId: string): SlaClock[] {
    return this.clocks.get(itemId)?.clocks ?? [];
  }

  async advance(target: FlowTarget, now: Date): Promise<AdvanceResult<ClockAction>> {
    const entry = this.clocks.get(target.itemId);
    if (!entry || entry.agencyId !== target.agencyId) throw new Error(`Item ${target.itemId} not found`);
    const performed: ClockAction[] = [];
    const wakeups = entry.clocks.map((clock, index) => {
      const { actions, next } = advanceClock(clock, now);
      entry.clocks[index] = applyClockActions(clock, actions, now);
      performed.push(...actions);
      return next;
    });
    for (const action of performed) this.recorded.push({ itemId: target.itemId, at: now, action });
    return { next: combineWakeups(wakeups), actions: performed };
  }
}
