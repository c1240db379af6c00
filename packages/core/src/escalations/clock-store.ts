import { uuid } from "@parley/contracts";
import { type Database, type Executor, schema, withTenant } from "@parley/db";
import { and, asc, desc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { publishLiveEvent } from "../kernel/publish-live-event";
import type { Scope } from "../kernel/scope";
import type { Priority } from "../protocols/protocol-document";
import type { BusinessCalendar } from "../sla/business-calendar";
import {
  advanceClock,
  applyClockActions,
  type ClockAction,
  type ClockMetric,
  type ClockPause,
  computeClockDeadlines,
  DEFAULT_AT_RISK_RATIO,
  type SlaClock,
} from "./advance-clock";
import { type PlaybookCalendar, resolveCalendar } from "./playbooks";
import type { ClockStore, FlowTarget } from "./ports";
import { combineWakeups } from "./wakeup";
import { scheduleWakeups, type WakeupTarget, wakeFlow } from "./wakeup-queue";

const { slaClocks, clients, items } = schema;
type ClockRow = typeof slaClocks.$inferSelect;

export interface ClockTarget {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  calendar: PlaybookCalendar;
}

/** The client default targets per priority, until contracts carry their own. */
export const defaultClockTargets: Readonly<Record<Priority, ClockTarget>> = {
  P1: { firstResponseMinutes: 15, resolutionMinutes: 240, calendar: "24x7" },
  P2: { firstResponseMinutes: 60, resolutionMinutes: 480, calendar: "business_hours" },
  P3: { firstResponseMinutes: 240, resolutionMinutes: 1440, calendar: "business_hours" },
  P4: { firstResponseMinutes: 480, resolutionMinutes: 2880, calendar: "business_hours" },
};

export interface ClockItem {
  id: string;
  priority: Priority;
  receivedAt: Date;
}

/** A clock row and its SLA watch wake-up as `startItemClocks` stores them (snake_case, ready for jsonb). */
export interface PlannedItemClocks {
  clocks: Array<Record<string, unknown>>;
  wakeups: Array<WakeupTarget & { dueAt: Date }>;
}

/**
 * The `first_response` and `resolution` clocks of new items from the client's default targets, and the SLA
 * watch of each (due at the first at-risk instant). Pure: the caller has read the client's business calendar.
 */
export function planItemClocks({
  agencyId,
  clientId,
  clientCalendar,
  items,
}: {
  agencyId: string;
  clientId: string;
  /** `clients.business_calendar` (null: covered around the clock). */
  clientCalendar: unknown;
  items: readonly ClockItem[];
}): PlannedItemClocks {
  const calendars: Record<PlaybookCalendar, BusinessCalendar> = {
    "24x7": resolveCalendar("24x7", clientCalendar),
    business_hours: resolveCalendar("business_hours", clientCalendar),
  };
  // A delivery's items share their arrival time and a handful of priorities: compute each deadline once.
  const deadlines = new Map<string, { dueAt: Date; atRiskAt: Date }>();
  const deadlinesOf = (startedAt: Date, targetMinutes: number, kind: PlaybookCalendar) => {
    const key = `${startedAt.getTime()}:${targetMinutes}:${kind}`;
    let found = deadlines.get(key);
    if (!found) {
      found = computeClockDeadlines({ startedAt, targetMinutes, calendar: calendars[kind] });
      deadlines.set(key, found);
    }
    return found;
  };
  const clocks: PlannedItemClocks["clocks"] = [];
  const wakeups: PlannedItemClocks["wakeups"] = [];
  for (const item of items) {
    const target = defaultClockTargets[item.priority];
    let firstAtRisk: Date | null = null;
    for (const [metric, targetMinutes] of [
      ["first_response", target.firstResponseMinutes],
      ["resolution", target.resolutionMinutes],
    ] as const) {
      const { dueAt, atRiskAt } = deadlinesOf(item.receivedAt, targetMinutes, target.calendar);
      if (!firstAtRisk || atRiskAt < firstAtRisk) firstAtRisk = atRiskAt;
      clocks.push({
        id: schema.uuidv7(),
        agency_id: agencyId,
        client_id: clientId,
        item_id: item.id,
        metric,
        // The priority whose target this clock runs on: a later reclassification of the item leaves it as it is.
        priority: item.priority,
        target_minutes: targetMinutes,
        calendar: calendars[target.calendar],
        at_risk_ratio: String(DEFAULT_AT_RISK_RATIO),
        started_at: item.receivedAt.toISOString(),
        due_at: dueAt.toISOString(),
        at_risk_at: atRiskAt.toISOString(),
      });
    }
    wakeups.push({ flow: "sla-watch", agencyId, clientId, itemId: item.id, dueAt: firstAtRisk ?? item.receivedAt });
  }
  return { clocks, wakeups };
}

/**
 * Starts an item's `first_response` and `resolution` clocks from the client's default targets and arms
 * the SLA watch. Starting again changes nothing (one clock per item and metric).
 */
export async function startItemClocks(
  tx: Executor,
  { agencyId, clientId, items }: { agencyId: string; clientId: string; items: readonly ClockItem[] },
): Promise<void> {
  if (items.length === 0) return;
  const [client] = await tx
    .select({ businessCalendar: clients.businessCalendar })
    .from(clients)
    .where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId)));
  const { clocks, wakeups } = planItemClocks({
    agencyId,
    clientId,
    clientCalendar: client?.businessCalendar ?? null,
    items,
  });
  const columns = sql.raw(Object.keys(clocks[0] ?? {}).join(", "));
  await tx.execute(sql`
    insert into ${slaClocks} (${columns})
    select ${columns} from jsonb_populate_recordset(null::sla_clocks, ${JSON.stringify(clocks)}::jsonb)
    order by item_id, metric
    on conflict do nothing`);
  await scheduleWakeups(tx, wakeups);
}

function parsePauses(value: unknown): ClockPause[] {
  if (!Array.isArray(value)) return [];
  return value.map(([start, end]: [string, string | null]) => ({
    startedAt: new Date(start),
    endedAt: end ? new Date(end) : null,
  }));
}

function serializePauses(pauses: readonly ClockPause[]): Array<[string, string | null]> {
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

async function lockClock(tx: Executor, itemId: string, metric: ClockMetric): Promise<ClockRow | undefined> {
  const [row] = await tx
    .select()
    .from(slaClocks)
    .where(and(eq(slaClocks.itemId, itemId), eq(slaClocks.metric, metric)))
    .for("update");
  return row;
}

async function announce(tx: Executor, row: ClockRow): Promise<void> {
  await publishLiveEvent(tx, {
    type: "clock.changed",
    agencyId: row.agencyId,
    clientId: row.clientId,
    subjectId: row.itemId,
  });
}

/**
 * Stops a clock at `at` (once): `met` says whether by its due time; an open pause is closed first and its
 * length added to client-side time. Call inside the transaction that made the change.
 */
async function stopClock(tx: Executor, { itemId, at, metric }: { itemId: string; at: Date; metric: ClockMetric }) {
  const row = await lockClock(tx, itemId, metric);
  if (!row || row.stoppedAt) return;
  const resumed = await resumeClock(tx, row, at);
  const late = at > resumed.dueAt;
  const [stopped] = await tx
    .update(slaClocks)
    .set({
      stoppedAt: at,
      met: !late,
      breachedAt: late ? (resumed.breachedAt ?? at) : resumed.breachedAt,
      updatedAt: at,
    })
    .where(eq(slaClocks.id, row.id))
    .returning();
  if (!stopped) return;
  await announce(tx, stopped);
  // The watch looks once more now (and finishes) instead of sleeping to a deadline that no longer matters.
  await scheduleWakeups(tx, [{ flow: "sla-watch", agencyId: row.agencyId, clientId: row.clientId, itemId, dueAt: at }]);
}

/** The first public reply or acknowledgement went out (a reply row became `sent`). */
export function stopFirstResponseClock(tx: Executor, input: { itemId: string; at: Date }): Promise<void> {
  return stopClock(tx, { ...input, metric: "first_response" });
}

/** The item or its escalation was resolved. */
export function stopResolutionClock(tx: Executor, input: { itemId: string; at: Date }): Promise<void> {
  return stopClock(tx, { ...input, metric: "resolution" });
}

/** The escalation now waits on the client: the resolution clock stops counting agency time. */
export async function pauseResolutionClock(tx: Executor, { itemId, at }: { itemId: string; at: Date }): Promise<void> {
  const row = await lockClock(tx, itemId, "resolution");
  if (!row || row.stoppedAt) return;
  const pauses = parsePauses(row.pauses);
  if (pauses.some((pause) => !pause.endedAt)) return;
  const [paused] = await tx
    .update(slaClocks)
    .set({ pauses: serializePauses([...pauses, { startedAt: at, endedAt: null }]), updatedAt: at })
    .where(eq(slaClocks.id, row.id))
    .returning();
  if (paused) await announce(tx, paused);
}

async function resumeClock(tx: Executor, row: ClockRow, at: Date): Promise<ClockRow> {
  const pauses = parsePauses(row.pauses);
  const open = pauses.find((pause) => !pause.endedAt);
  if (!open) return row;
  const closed = pauses.map((pause) => (pause === open ? { ...pause, endedAt: at } : pause));
  const waitedMs = Math.max(0, at.getTime() - open.startedAt.getTime());
  const deadlines = computeClockDeadlines({
    startedAt: row.startedAt,
    targetMinutes: row.targetMinutes,
    calendar: row.calendar as BusinessCalendar,
    atRiskRatio: Number(row.atRiskRatio),
    pauses: closed,
  });
  const [resumed] = await tx
    .update(slaClocks)
    .set({ pauses: serializePauses(closed), clientSideMs: row.clientSideMs + waitedMs, ...deadlines, updatedAt: at })
    .where(eq(slaClocks.id, row.id))
    .returning();
  return resumed ?? row;
}

/** The client answered: the resolution clock counts agency time again, with the wait kept as client-side time. */
export async function resumeResolutionClock(tx: Executor, { itemId, at }: { itemId: string; at: Date }): Promise<void> {
  const row = await lockClock(tx, itemId, "resolution");
  if (!row || row.stoppedAt) return;
  const resumed = await resumeClock(tx, row, at);
  if (resumed === row) return;
  await announce(tx, resumed);
  await wakeFlow(tx, {
    flow: "sla-watch",
    agencyId: row.agencyId,
    clientId: row.clientId,
    itemId,
    event: "sla/clock.resumed",
    now: at,
  });
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
          if (updated) await announce(tx, updated);
          performed.push(...actions);
        }
        return { next: combineWakeups(wakeups), actions: performed };
      });
    },
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

export const slaBoardInput = z.object({ clientId: uuid.optional() }).default({});
export type SlaBoardInput = z.input<typeof slaBoardInput>;

export interface SlaBoardEntry {
  itemId: string;
  clientId: string;
  priority: Priority;
  status: string;
  authorHandle: string;
  excerpt: string;
  metric: ClockMetric;
  dueAt: Date;
  atRiskAt: Date;
  /** Negative once breached; frozen while paused. */
  msLeft: number;
  state: "on_track" | "at_risk" | "breached" | "paused";
}

export interface SlaBoard {
  at: Date;
  open: SlaBoardEntry[];
  breachesToday: Array<{ itemId: string; clientId: string; metric: ClockMetric; dueAt: Date; breachedAt: Date }>;
}

const boardLimit = 200;

/** The live SLA board: running clocks by time left, and the breaches since midnight in each client's time zone. */
export async function getSlaBoard(
  scope: Scope,
  tx: Executor,
  input: SlaBoardInput = {},
  deps: { now?: () => Date } = {},
): Promise<SlaBoard> {
  const { clientId } = slaBoardInput.parse(input);
  const now = deps.now?.() ?? new Date();
  if (clientId) await getClient(scope, tx, clientId);
  const scoped = and(
    eq(slaClocks.agencyId, scope.agencyId),
    scope.clientIds ? inArray(slaClocks.clientId, [...scope.clientIds]) : undefined,
    clientId ? eq(slaClocks.clientId, clientId) : undefined,
  );
  const running = await tx
    .select({ clock: slaClocks, item: items })
    .from(slaClocks)
    .innerJoin(items, eq(items.id, slaClocks.itemId))
    .where(and(scoped, isNull(slaClocks.stoppedAt)))
    .orderBy(asc(slaClocks.dueAt))
    .limit(boardLimit);
  // Today is the client's: since midnight in its time zone.
  const clientMidnight = sql`(date_trunc('day', ${now.toISOString()}::timestamptz at time zone ${clients.timeZone})
    at time zone ${clients.timeZone})`;
  const breached = (
    await tx
      .select({ clock: slaClocks })
      .from(slaClocks)
      .innerJoin(clients, and(eq(clients.agencyId, slaClocks.agencyId), eq(clients.id, slaClocks.clientId)))
      .where(and(scoped, gte(slaClocks.breachedAt, clientMidnight)))
      .orderBy(desc(slaClocks.breachedAt))
      .limit(boardLimit)
  ).map(({ clock }) => clock);
  return {
    at: now,
    open: running.map(({ clock, item }) => {
      const view = toClockView(clock);
      const openPause = parsePauses(clock.pauses).find((pause) => !pause.endedAt);
      const reference = openPause ? openPause.startedAt : now;
      return {
        itemId: item.id,
        clientId: item.clientId,
        priority: item.priority,
        status: item.status,
        authorHandle: item.authorHandle,
        excerpt: item.body.length > 140 ? `${item.body.slice(0, 137)}…` : item.body,
        metric: view.metric,
        dueAt: view.dueAt,
        atRiskAt: view.atRiskAt,
        msLeft: view.dueAt.getTime() - reference.getTime(),
        state: view.paused ? "paused" : now >= view.dueAt ? "breached" : now >= view.atRiskAt ? "at_risk" : "on_track",
      };
    }),
    breachesToday: breached.map((row) => ({
      itemId: row.itemId,
      clientId: row.clientId,
      metric: row.metric,
      dueAt: row.dueAt,
      breachedAt: row.breachedAt ?? row.dueAt,
    })),
  };
}
