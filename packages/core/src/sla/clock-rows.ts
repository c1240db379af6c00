/** A clock as stored: its `sla_clocks` row, the pure decision's `SlaClock`, and the view consoles and packets show. */
import { type Executor, schema } from "@parley/db";
import { asc, getTableColumns, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { ClockMetric, ClockPause, SlaClock } from "./advance-clock";
import { ALWAYS_OPEN, type BusinessCalendar } from "./business-calendar";

const { slaClocks } = schema;
/** An `sla_clocks` row. */
export type ClockRow = typeof slaClocks.$inferSelect;

/**
 * The calendar a clock runs on, in SQL over the `sla_clocks` row named `alias`: its own copy (clocks started before
 * clocks stopped copying it), else its business-hours version's (versions are never changed); null = around the
 * clock (`calendarOfClock`).
 */
export function clockCalendarSql(alias = "sla_clocks"): string {
  return `coalesce(${alias}.calendar, (select bc.calendar from business_calendars bc where bc.id = ${alias}.calendar_version_id))`;
}

/** `sla_clocks` columns with `calendar` read through `clockCalendarSql` (select these where the calendar is used). */
export const clockColumns = { ...getTableColumns(slaClocks), calendar: sql<unknown>`${sql.raw(clockCalendarSql())}` };

/** The calendar of a clock read with `clockCalendarSql`. */
export function calendarOfClock(row: { calendar: unknown }): BusinessCalendar {
  return (row.calendar as BusinessCalendar | null) ?? ALWAYS_OPEN;
}

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

export const clockStates = ["running", "at_risk", "paused", "breached", "met", "missed"] as const;
export type ClockState = (typeof clockStates)[number];

/**
 * A clock's state at `now`: stopped in time (`met`) or late (`missed`); else paused; else past due (`breached`),
 * past its at-risk instant (`at_risk`), or `running`.
 */
export function clockStateOf(row: ClockRow, now: Date): ClockState {
  if (row.stoppedAt) return row.met === false || row.stoppedAt > row.dueAt ? "missed" : "met";
  if (parsePauses(row.pauses).some((pause) => !pause.endedAt)) return "paused";
  if (now > row.dueAt) return "breached";
  return now >= row.atRiskAt ? "at_risk" : "running";
}

/** Time the clock spent paused (waiting on the client), up to its stop or `now`. */
export function pausedMsOf(row: ClockRow, now: Date): number {
  const end = row.stoppedAt ?? now;
  return parsePauses(row.pauses).reduce(
    (sum, pause) => sum + Math.max(0, (pause.endedAt ?? end).getTime() - pause.startedAt.getTime()),
    0,
  );
}

/** An item's clock as `/v1/items/{id}` shows it: where its target and calendar came from, and where it stands. */
export const publicClockView = z
  .object({
    metric: z.enum(["first_response", "resolution"]),
    targetMinutes: z.int(),
    calendar: z
      .enum(["24x7", "business_hours"])
      .describe("what the target counts: every minute, or the client's business hours in force at arrival"),
    startedAt: z.date(),
    dueAt: z.date(),
    stoppedAt: z.date().nullable(),
    pausedMs: z.int().describe("time paused waiting on the client"),
    state: z.enum(clockStates),
    contractId: z.uuid().nullable().describe("the contract the target came from; null = the agency's default policy"),
  })
  .meta({ ref: "SlaClock" });
export type PublicClockView = z.infer<typeof publicClockView>;

export function toPublicClockView(row: ClockRow, now: Date): PublicClockView {
  return {
    metric: row.metric,
    targetMinutes: row.targetMinutes,
    calendar: row.calendarKind,
    startedAt: row.startedAt,
    dueAt: row.dueAt,
    stoppedAt: row.stoppedAt,
    pausedMs: pausedMsOf(row, now),
    state: clockStateOf(row, now),
    contractId: row.contractId,
  };
}
