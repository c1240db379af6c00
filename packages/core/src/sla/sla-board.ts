import { uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, desc, eq, gte, inArray, isNull, notInArray, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import type { Priority } from "../protocols/protocol-document";
import type { ClockMetric } from "./advance-clock";
import { businessMinutesBetween } from "./business-time";
import { calendarOfClock, clockColumns, parsePauses, toClockView } from "./clock-rows";
import { closedHoursOf } from "./clock-words";

const { slaClocks, clients, items } = schema;

export const slaBoardInput = z
  .object({
    clientId: uuid.optional(),
    /** 0-based page of open items, most pressing first. */
    page: z.int({ message: "must be a whole number" }).min(0, { message: "must not be negative" }).default(0),
    pageSize: z
      .int({ message: "must be a whole number" })
      .min(1, { message: "must be at least 1" })
      .max(500, { message: "must be at most 500" })
      .default(50),
  })
  .default({ page: 0, pageSize: 50 });
export type SlaBoardInput = z.input<typeof slaBoardInput>;

export type SlaBoardState = "on_track" | "at_risk" | "breached" | "paused";

/** One running clock of an item on the board, with where its target came from. */
export interface SlaBoardEntry {
  itemId: string;
  clientId: string;
  priority: Priority;
  status: string;
  authorHandle: string;
  excerpt: string;
  metric: ClockMetric;
  targetMinutes: number;
  calendarKind: "24x7" | "business_hours";
  /** null: the agency's default policy (no contract). */
  contractId: string | null;
  /** The client's IANA zone, in which the screens show `dueAt` (named). */
  timeZone: string;
  dueAt: Date;
  atRiskAt: Date;
  /** Negative once breached; frozen while paused. */
  msLeft: number;
  state: SlaBoardState;
  /**
   * Why a running clock is not counting, in words, when its client's business hours are closed now: "paused —
   * outside Cobalt Bank's hours, opens Mon 09:00 Europe/Berlin" (the opening in the calendar's zone, named).
   */
  note: string | null;
}

/** An open item: its running clocks (first response and resolution), the most pressing first. */
export interface SlaBoardItem {
  itemId: string;
  clientId: string;
  priority: Priority;
  status: string;
  authorHandle: string;
  excerpt: string;
  clocks: SlaBoardEntry[];
}

export interface SlaBoard {
  at: Date;
  /** Over every open item in scope (not only this page): items with a running clock, and their worst state. */
  totals: { openItems: number; atRisk: number; breached: number; paused: number };
  page: number;
  pageSize: number;
  pageCount: number;
  items: SlaBoardItem[];
  /** Each in its client's zone (`timeZone`), as the screens show it. */
  breachesToday: Array<{
    itemId: string;
    clientId: string;
    metric: ClockMetric;
    dueAt: Date;
    breachedAt: Date;
    timeZone: string;
  }>;
}

const breachesLimit = 200;

/**
 * When a business-hours clock's calendar is closed at `now`: its business time left and the words the screens show
 * ("paused — outside Cobalt Bank's hours, opens Mon 09:00 Europe/Berlin"); null while open (or 24x7).
 */
function closedClockOf(
  clock: typeof slaClocks.$inferSelect,
  clientName: string,
  now: Date,
): { msLeft: number; note: string } | null {
  if (clock.calendarKind !== "business_hours") return null;
  const calendar = calendarOfClock(clock);
  const closed = closedHoursOf(calendar, clientName, now);
  if (!closed) return null;
  return { msLeft: Math.round(businessMinutesBetween(now, clock.dueAt, calendar) * 60_000), note: closed.note };
}
/**
 * Items someone still owes an answer: not hidden, deleted, marked no action or resolved, and not spam the protocol's
 * moderation rules hide or delete on arrival (their clocks may still run, but nobody will answer them).
 */
const awaitingWork = and(
  notInArray(items.status, ["hidden", "deleted", "no_action", "resolved"]),
  or(isNull(items.moderationAction), eq(items.moderationAction, "flag")),
);
const openPause = sql`exists (select 1 from jsonb_array_elements(${slaClocks.pauses}) as p(pause) where p.pause->>1 is null)`;

type RunningClockRow = {
  clock: typeof slaClocks.$inferSelect;
  item: Pick<typeof items.$inferSelect, "id" | "clientId" | "priority" | "status" | "authorHandle" | "body">;
  clientName: string;
  timeZone: string;
};

/** A running clock as the board and the queue show it at `now`: time left, state, and why it is not counting. */
function toBoardEntry({ clock, item, clientName, timeZone }: RunningClockRow, now: Date): SlaBoardEntry {
  const view = toClockView(clock);
  const pause = parsePauses(clock.pauses).find((candidate) => !candidate.endedAt);
  const reference = pause ? pause.startedAt : now;
  const closed = !view.paused && now < view.dueAt ? closedClockOf(clock, clientName, now) : null;
  return {
    itemId: item.id,
    clientId: item.clientId,
    priority: item.priority,
    status: item.status,
    authorHandle: item.authorHandle,
    excerpt: item.body.length > 140 ? `${item.body.slice(0, 137)}…` : item.body,
    metric: view.metric,
    targetMinutes: clock.targetMinutes,
    calendarKind: clock.calendarKind,
    contractId: clock.contractId,
    timeZone,
    dueAt: view.dueAt,
    atRiskAt: view.atRiskAt,
    // Outside business hours the clock does not count: the business time it has left, frozen until opening.
    msLeft: closed ? closed.msLeft : view.dueAt.getTime() - reference.getTime(),
    state:
      view.paused || closed ? "paused" : now >= view.dueAt ? "breached" : now >= view.atRiskAt ? "at_risk" : "on_track",
    note: closed?.note ?? null,
  };
}

/** The running clocks of these items, read under one select, each as `toBoardEntry` shows it. */
async function readRunningClocks(tx: Executor, where: SQL | undefined, now: Date): Promise<SlaBoardEntry[]> {
  const rows = await tx
    .select({
      clock: clockColumns,
      item: {
        id: items.id,
        clientId: items.clientId,
        priority: items.priority,
        status: items.status,
        authorHandle: items.authorHandle,
        body: items.body,
      },
      clientName: clients.name,
      timeZone: clients.timeZone,
    })
    .from(slaClocks)
    .innerJoin(items, and(eq(items.agencyId, slaClocks.agencyId), eq(items.id, slaClocks.itemId)))
    .innerJoin(clients, and(eq(clients.agencyId, slaClocks.agencyId), eq(clients.id, slaClocks.clientId)))
    .where(and(where, isNull(slaClocks.stoppedAt)))
    .orderBy(asc(slaClocks.dueAt));
  return rows.map((row) => toBoardEntry(row, now));
}

/** The most pressing of an item's running clocks: the one with the least time left, paused ones last. */
export function mostPressingClock(entries: readonly SlaBoardEntry[]): SlaBoardEntry | null {
  let best: SlaBoardEntry | null = null;
  const rank = (entry: SlaBoardEntry) => (entry.state === "paused" ? 1 : 0);
  for (const entry of entries) {
    if (!best || rank(entry) < rank(best) || (rank(entry) === rank(best) && entry.msLeft < best.msLeft)) best = entry;
  }
  return best;
}

export const itemClocksInput = z.object({
  itemIds: z
    .array(uuid)
    .min(1, { message: "must list at least one item" })
    .max(100, { message: "must list at most 100 items" }),
});
export type ItemClocksInput = z.infer<typeof itemClocksInput>;

/**
 * The running clocks of the given items (those in the caller's scope; others are simply absent), most pressing
 * first: what a queue page or an open item shows, however many other clocks run.
 */
export async function findItemClocks(
  scope: Scope,
  tx: Executor,
  input: ItemClocksInput,
  deps: { now?: Clock } = {},
): Promise<{ at: Date; clocks: SlaBoardEntry[] }> {
  const now = (deps.now ?? systemClock)();
  const clocks = await readRunningClocks(
    tx,
    and(
      eq(slaClocks.agencyId, scope.agencyId),
      scope.clientIds ? inArray(slaClocks.clientId, [...scope.clientIds]) : undefined,
      inArray(slaClocks.itemId, [...new Set(input.itemIds)]),
    ),
    now,
  );
  return { at: now, clocks };
}

/**
 * The live SLA board: every open item's running clocks, most pressing item first, a page at a time, with totals
 * counted over all of them; and the breaches since midnight in each client's time zone.
 */
export async function getSlaBoard(
  scope: Scope,
  tx: Executor,
  input: SlaBoardInput = {},
  deps: { now?: Clock } = {},
): Promise<SlaBoard> {
  const { clientId, page, pageSize } = slaBoardInput.parse(input);
  const now = (deps.now ?? systemClock)();
  if (clientId) await getClient(scope, tx, clientId);
  const scoped = and(
    eq(slaClocks.agencyId, scope.agencyId),
    scope.clientIds ? inArray(slaClocks.clientId, [...scope.clientIds]) : undefined,
    clientId ? eq(slaClocks.clientId, clientId) : undefined,
  );
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  // Each open item's worst state: breached > at risk > paused > on track.
  const perItem = tx
    .select({
      itemId: slaClocks.itemId,
      firstDue: sql<Date>`min(${slaClocks.dueAt})`.as("first_due"),
      breached: sql<boolean>`bool_or(not ${openPause} and ${slaClocks.dueAt} <= ${nowSql})`.as("breached"),
      atRisk:
        sql<boolean>`bool_or(not ${openPause} and ${slaClocks.atRiskAt} <= ${nowSql} and ${slaClocks.dueAt} > ${nowSql})`.as(
          "at_risk",
        ),
      paused: sql<boolean>`bool_or(${openPause})`.as("paused"),
    })
    .from(slaClocks)
    .innerJoin(items, and(eq(items.agencyId, slaClocks.agencyId), eq(items.id, slaClocks.itemId)))
    .where(and(scoped, isNull(slaClocks.stoppedAt), awaitingWork))
    .groupBy(slaClocks.itemId)
    .as("per_item");
  const [totals] = await tx
    .select({
      openItems: sql<number>`count(*)::int`,
      breached: sql<number>`(count(*) filter (where ${perItem.breached}))::int`,
      atRisk: sql<number>`(count(*) filter (where ${perItem.atRisk} and not ${perItem.breached}))::int`,
      paused: sql<number>`(count(*) filter (where ${perItem.paused} and not ${perItem.breached} and not ${perItem.atRisk}))::int`,
    })
    .from(perItem);
  const pageIds = (
    await tx
      .select({ itemId: perItem.itemId })
      .from(perItem)
      .orderBy(asc(perItem.firstDue), asc(perItem.itemId))
      .limit(pageSize)
      .offset(page * pageSize)
  ).map((row) => row.itemId);
  const running =
    pageIds.length === 0 ? [] : await readRunningClocks(tx, and(scoped, inArray(slaClocks.itemId, pageIds)), now);
  // Today is the client's: since midnight in its time zone.
  const clientMidnight = sql`(date_trunc('day', ${now.toISOString()}::timestamptz at time zone ${clients.timeZone})
    at time zone ${clients.timeZone})`;
  const breached = (
    await tx
      .select({ clock: slaClocks, timeZone: clients.timeZone })
      .from(slaClocks)
      .innerJoin(clients, and(eq(clients.agencyId, slaClocks.agencyId), eq(clients.id, slaClocks.clientId)))
      .where(and(scoped, gte(slaClocks.breachedAt, clientMidnight)))
      .orderBy(desc(slaClocks.breachedAt))
      .limit(breachesLimit)
  ).map(({ clock, timeZone }) => ({ ...clock, timeZone }));
  const byItem = new Map<string, SlaBoardItem>(pageIds.map((id) => [id, undefined as unknown as SlaBoardItem]));
  for (const entry of running) {
    const found = byItem.get(entry.itemId);
    if (found) found.clocks.push(entry);
    else {
      const { itemId, clientId: ofClient, priority, status, authorHandle, excerpt } = entry;
      byItem.set(itemId, { itemId, clientId: ofClient, priority, status, authorHandle, excerpt, clocks: [entry] });
    }
  }
  const openItems = totals?.openItems ?? 0;
  return {
    at: now,
    totals: {
      openItems,
      atRisk: totals?.atRisk ?? 0,
      breached: totals?.breached ?? 0,
      paused: totals?.paused ?? 0,
    },
    page,
    pageSize,
    pageCount: Math.max(1, Math.ceil(openItems / pageSize)),
    items: [...byItem.values()].filter(Boolean),
    breachesToday: breached.map((row) => ({
      itemId: row.itemId,
      clientId: row.clientId,
      metric: row.metric,
      dueAt: row.dueAt,
      breachedAt: row.breachedAt ?? row.dueAt,
      timeZone: row.timeZone,
    })),
  };
}
