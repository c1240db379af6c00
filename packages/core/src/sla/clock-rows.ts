/** A clock as stored: its `sla_clocks` row, the pure decision's `SlaClock`, and the view consoles and packets show. */
import { type Executor, schema } from "@parley/db";
import { asc, inArray } from "drizzle-orm";
import type { ClockMetric, ClockPause, SlaClock } from "./advance-clock";

const { slaClocks } = schema;
/** An `sla_clocks` row. */
export type ClockRow = typeof slaClocks.$inferSelect;

export function parsePauses(value: unknown): ClockPause[] {
  if (!Array.isArray(value)) return [];
  return value.map(([start, end]: [string, string | null]) => ({
    startedAt: new Date(start),
    endedAt: end ? new Date(end) : null,
  }));
}

export function serializePauses(pauses: readonly ClockPause[]): Array<[string, string | null]> {
  return pauses.map((pause) => [pause.startedAt.toISOString(), pause.endedAt?.toISOString() ?? null]);
}

export function toSlaClock(row: ClockRow): SlaClock {
  return {
    metric: row.metric,
    startedAt: row.startedAt,
    dueAt: row.dueAt,
    atRiskAt: row.atRiskAt,
    stoppedAt: row.stoppedAt,
    pauses: parsePauses(row.pauses),
    atRiskRecordedAt: row.atRiskRecordedAt,
    breachedRecordedAt: row.breachedAt,
  };
}

export interface ClockView {
  itemId: string;
  clientId: string;
  metric: ClockMetric;
  targetMinutes: number;
  startedAt: Date;
  dueAt: Date;
  atRiskAt: Date;
  stoppedAt: Date | null;
  paused: boolean;
  clientSideMs: number;
  atRiskRecordedAt: Date | null;
  breachedAt: Date | null;
  met: boolean | null;
}

export function toClockView(row: ClockRow): ClockView {
  return {
    itemId: row.itemId,
    clientId: row.clientId,
    metric: row.metric,
    targetMinutes: row.targetMinutes,
    startedAt: row.startedAt,
    dueAt: row.dueAt,
    atRiskAt: row.atRiskAt,
    stoppedAt: row.stoppedAt,
    paused: parsePauses(row.pauses).some((pause) => !pause.endedAt),
    clientSideMs: row.clientSideMs,
    atRiskRecordedAt: row.atRiskRecordedAt,
    breachedAt: row.breachedAt,
    met: row.met,
  };
}

export async function listItemClocks(tx: Executor, { itemIds }: { itemIds: readonly string[] }): Promise<ClockView[]> {
  if (itemIds.length === 0) return [];
  const rows = await tx
    .select()
    .from(slaClocks)
    .where(inArray(slaClocks.itemId, [...itemIds]))
    .orderBy(asc(slaClocks.metric));
  return rows.map(toClockView);
}
