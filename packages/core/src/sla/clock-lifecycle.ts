/**
 * An item's clocks as the other areas change them, inside the transaction that made the change: a public reply
 * went out (first response stops; an acknowledgement only if the contract says so), the item or its escalation was resolved (resolution stops), an escalation
 * waits on the client (resolution pauses) and the client answered (it resumes). Each change is announced live,
 * and the SLA watch is told to look again.
 */
import { acknowledgementCountsOf, type ContractTermsInput } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { scheduleWakeups, wakeFlow } from "../kernel/schedule-wakeups";
import { type ClockMetric, computeClockDeadlines } from "./advance-clock";
import { type ClockRow, calendarOfClock, clockColumns, parsePauses, serializePauses } from "./clock-rows";

const { slaClocks, contracts } = schema;
type ReplyKind = (typeof schema.replyKinds)[number];

async function lockClock(tx: Executor, itemId: string, metric: ClockMetric): Promise<ClockRow | undefined> {
  const [row] = await tx
    .select(clockColumns)
    .from(slaClocks)
    .where(and(eq(slaClocks.itemId, itemId), eq(slaClocks.metric, metric)))
    .for("update");
  return row;
}

export async function announceClock(tx: Executor, row: ClockRow): Promise<void> {
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
  await announceClock(tx, stopped);
  // The watch looks once more now (and finishes) instead of sleeping to a deadline that no longer matters.
  await scheduleWakeups(tx, [{ flow: "sla-watch", agencyId: row.agencyId, clientId: row.clientId, itemId, dueAt: at }]);
}

/**
 * A public reply, follow-up or acknowledgement was delivered (a reply row became `sent`). A reply or follow-up
 * always stops the first-response clock; an acknowledgement only when the contract the clock started under says
 * acknowledgements count (`acknowledgementCountsAsFirstResponse`; without a contract — the agency's default
 * policy — they do).
 */
export async function stopFirstResponseClock(
  tx: Executor,
  input: { itemId: string; at: Date; kind: ReplyKind },
): Promise<void> {
  if (input.kind === "acknowledgement") {
    const [clock] = await tx
      .select({ terms: contracts.terms })
      .from(slaClocks)
      .innerJoin(contracts, eq(contracts.id, slaClocks.contractId))
      .where(and(eq(slaClocks.itemId, input.itemId), eq(slaClocks.metric, "first_response")));
    if (clock && !acknowledgementCountsOf(clock.terms as ContractTermsInput)) return;
  }
  await stopClock(tx, { itemId: input.itemId, at: input.at, metric: "first_response" });
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
  if (paused) await announceClock(tx, paused);
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
    calendar: calendarOfClock(row),
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
  await announceClock(tx, resumed);
  await wakeFlow(tx, {
    flow: "sla-watch",
    agencyId: row.agencyId,
    clientId: row.clientId,
    itemId,
    event: "sla/clock.resumed",
    now: at,
  });
}
