import { type Database, schema, withTenant } from "@parley/db";
import { and, asc, eq } from "drizzle-orm";
import { type AdvanceResult, combineWakeups, type FlowTarget } from "../kernel/wakeup";
import { advanceClock, applyClockActions, type ClockAction } from "./advance-clock";
import { announceClock } from "./clock-lifecycle";
import { toSlaClock } from "./clock-rows";

const { slaClocks } = schema;

/** Advances every SLA clock of one item; `next` is the earliest wake-up among them. */
export interface ClockStore {
  advance(target: FlowTarget, now: Date): Promise<AdvanceResult<ClockAction>>;
}

/**
 * The `ClockStore` the workflow drivers advance: every clock of the item, decided by `advanceClock` at
 * `now`, at-risk and breach recorded once (under a row lock) and announced live.
 */
export function createClockStore({ db }: { db: Database }): ClockStore {
  return {
    advance(target: FlowTarget, now: Date) {
      return withTenant(db, { agencyId: target.agencyId, clientIds: null }, async (tx) => {
        const rows = await tx
          .select()
          .from(slaClocks)
          .where(and(eq(slaClocks.itemId, target.itemId), eq(slaClocks.agencyId, target.agencyId)))
          .orderBy(asc(slaClocks.metric))
          .for("update");
        const performed: ClockAction[] = [];
        const wakeups = [];
        for (const row of rows) {
          const clock = toSlaClock(row);
          const { actions, next } = advanceClock(clock, now);
          wakeups.push(next);
          if (actions.length === 0) continue;
          const after = applyClockActions(clock, actions, now);
          const [updated] = await tx
            .update(slaClocks)
            .set({ atRiskRecordedAt: after.atRiskRecordedAt, breachedAt: after.breachedRecordedAt, updatedAt: now })
            .where(eq(slaClocks.id, row.id))
            .returning();
          if (updated) await announceClock(tx, updated);
          performed.push(...actions);
        }
        return { next: combineWakeups(wakeups), actions: performed };
      });
    },
  };
}
