import { AppError, type PlannedEventInput, plannedEventInput } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, gt } from "drizzle-orm";
import { getClient } from "../agencies/clients";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { parseClockTime } from "../sla/business-calendar";
import { wallTimeInstant } from "../sla/zone-offsets";
import { agencyTimeZoneOf } from "./staffing-scope";

const { plannedEvents, clients } = schema;
type PlannedEventRow = typeof plannedEvents.$inferSelect;

export interface PlannedEventView {
  id: string;
  clientId: string;
  clientName: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
  durationMinutes: number;
  multiplier: number;
  createdAt: Date;
}

function toPlannedEventView(row: PlannedEventRow, clientName: string): PlannedEventView {
  return {
    id: row.id,
    clientId: row.clientId,
    clientName,
    name: row.name,
    startsAt: row.startsAt,
    endsAt: new Date(row.startsAt.getTime() + row.durationMinutes * 60_000),
    durationMinutes: row.durationMinutes,
    multiplier: row.multiplier,
    createdAt: row.createdAt,
  };
}

/** The planned events of the caller's clients that end after `after`, soonest first. */
export async function listPlannedEvents(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { after: Date },
): Promise<PlannedEventView[]> {
  const rows = await tx
    .select({ event: plannedEvents, clientName: clients.name })
    .from(plannedEvents)
    .innerJoin(clients, eq(clients.id, plannedEvents.clientId))
    .where(
      and(
        eq(plannedEvents.agencyId, scope.agencyId),
        // An event ends `duration` after it starts; none lasts more than 14 days.
        gt(plannedEvents.startsAt, new Date(input.after.getTime() - 14 * 86_400_000)),
      ),
    )
    .orderBy(asc(plannedEvents.startsAt));
  return rows.map((row) => toPlannedEventView(row.event, row.clientName)).filter((event) => event.endsAt > input.after);
}

/** Records a surge a lead expects for one of their clients; its date and time are the agency's local time. */
export async function createPlannedEvent(
  scope: Scope,
  tx: Executor,
  input: PlannedEventInput,
): Promise<PlannedEventView> {
  const values = plannedEventInput.parse(input);
  const client = await getClient(scope, tx, values.clientId);
  const timeZone = await agencyTimeZoneOf(scope, tx);
  const startsAt = new Date(wallTimeInstant(values.date, parseClockTime(values.startTime), timeZone));
  const [row] = await tx
    .insert(plannedEvents)
    .values({
      agencyId: scope.agencyId,
      clientId: client.id,
      name: values.name,
      startsAt,
      durationMinutes: values.durationMinutes,
      multiplier: values.multiplier,
      createdBy: scope.actorId,
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Planned event was not saved");
  await recordAudit(tx, scope, {
    action: "staffing.event_planned",
    subjectType: "planned_event",
    subjectId: row.id,
    clientId: client.id,
    after: row,
  });
  return toPlannedEventView(row, client.name);
}

export async function deletePlannedEvent(scope: Scope, tx: Executor, input: { eventId: string }): Promise<void> {
  const [row] = await tx
    .delete(plannedEvents)
    .where(and(eq(plannedEvents.id, input.eventId), eq(plannedEvents.agencyId, scope.agencyId)))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "Planned event not found", { reason: "planned_event_not_found" });
  await recordAudit(tx, scope, {
    action: "staffing.event_deleted",
    subjectType: "planned_event",
    subjectId: row.id,
    clientId: row.clientId,
    before: row,
  });
}
