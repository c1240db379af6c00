import { uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, desc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import type { Scope } from "../kernel/scope";
import type { Priority } from "../protocols/protocol-document";
import type { ClockMetric } from "./advance-clock";
import { parsePauses, toClockView } from "./clock-rows";

const { slaClocks, clients, items } = schema;

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
