import {
  AppError,
  type RosterExceptionInput,
  type RosterShiftInput,
  type RosterWeekday,
  rosterExceptionInput,
  rosterShiftInput,
  rosterWeekdays,
} from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, gt, inArray, isNull, lt, or } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { parseClockTime } from "../sla/business-calendar";
import { localWallTime, wallTimeInstant } from "../sla/zone-offsets";
import type { RosterExceptionRule, RosterShiftRule } from "./roster";
import {
  agencyTimeZoneOf,
  getPlannedModerator,
  moderatorsOf,
  type PlannedModerator,
  plannedClientsOf,
} from "./staffing-scope";

const { rosterShifts, rosterExceptions } = schema;
type ShiftRow = typeof rosterShifts.$inferSelect;
type ExceptionRow = typeof rosterExceptions.$inferSelect;

export interface RosterDeps {
  now?: Clock;
}

export interface RosterShiftView {
  id: string;
  membershipId: string;
  weekday: RosterWeekday;
  /** Local "HH:MM" in the agency's zone; an end at or before the start is the next day's. */
  startTime: string;
  endTime: string;
  startsOn: string;
  endsOn: string | null;
}

export interface RosterExceptionView {
  id: string;
  membershipId: string;
  kind: ExceptionRow["kind"];
  startsAt: Date;
  endsAt: Date;
  note: string | null;
}

export interface RosterView {
  timeZone: string;
  /** Today in the agency's zone. */
  today: string;
  moderators: Array<PlannedModerator & { shifts: RosterShiftView[]; exceptions: RosterExceptionView[] }>;
}

function clockTimeOf(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

function toShiftView(row: ShiftRow): RosterShiftView {
  return {
    id: row.id,
    membershipId: row.membershipId,
    weekday: rosterWeekdays[row.weekday] ?? "mon",
    startTime: clockTimeOf(row.startMinute),
    endTime: clockTimeOf(row.endMinute),
    startsOn: row.startsOn,
    endsOn: row.endsOn,
  };
}

function toExceptionView(row: ExceptionRow): RosterExceptionView {
  return {
    id: row.id,
    membershipId: row.membershipId,
    kind: row.kind,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    note: row.note,
  };
}

/** The shifts and exceptions of `membershipIds` that touch `[from, to)` (local dates for shifts), as the planner reads them. */
export async function loadRosterRules(
  scope: Scope,
  tx: Executor,
  input: { membershipIds: readonly string[]; from: Date; to: Date; fromDate: string },
): Promise<{ shifts: RosterShiftRule[]; exceptions: RosterExceptionRule[] }> {
  if (input.membershipIds.length === 0) return { shifts: [], exceptions: [] };
  const ids = [...input.membershipIds];
  const shifts = await tx
    .select()
    .from(rosterShifts)
    .where(
      and(
        eq(rosterShifts.agencyId, scope.agencyId),
        inArray(rosterShifts.membershipId, ids),
        or(isNull(rosterShifts.endsOn), gt(rosterShifts.endsOn, input.fromDate)),
      ),
    );
  const exceptions = await tx
    .select()
    .from(rosterExceptions)
    .where(
      and(
        eq(rosterExceptions.agencyId, scope.agencyId),
        inArray(rosterExceptions.membershipId, ids),
        lt(rosterExceptions.startsAt, input.to),
        gt(rosterExceptions.endsAt, input.from),
      ),
    );
  return {
    shifts: shifts.map((row) => ({
      membershipId: row.membershipId,
      weekday: row.weekday,
      startMinute: row.startMinute,
      endMinute: row.endMinute,
      startsOn: row.startsOn,
      endsOn: row.endsOn,
    })),
    exceptions: exceptions.map((row) => ({
      membershipId: row.membershipId,
      kind: row.kind,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
    })),
  };
}

/** The roster of the moderators who work the caller's clients: shifts in force or to come, exceptions from a week ago. */
export async function getRoster(scope: Scope, tx: Executor, deps: RosterDeps = {}): Promise<RosterView> {
  const now = (deps.now ?? systemClock)();
  const timeZone = await agencyTimeZoneOf(scope, tx);
  const today = localWallTime(now.getTime(), timeZone).date;
  const clients = await plannedClientsOf(scope, tx);
  const moderators = await moderatorsOf(
    scope,
    tx,
    clients.map((client) => client.id),
  );
  const ids = moderators.map((moderator) => moderator.membershipId);
  const shifts =
    ids.length === 0
      ? []
      : await tx
          .select()
          .from(rosterShifts)
          .where(
            and(
              eq(rosterShifts.agencyId, scope.agencyId),
              inArray(rosterShifts.membershipId, ids),
              or(isNull(rosterShifts.endsOn), gt(rosterShifts.endsOn, today)),
            ),
          )
          .orderBy(asc(rosterShifts.weekday), asc(rosterShifts.startMinute));
  const exceptions =
    ids.length === 0
      ? []
      : await tx
          .select()
          .from(rosterExceptions)
          .where(
            and(
              eq(rosterExceptions.agencyId, scope.agencyId),
              inArray(rosterExceptions.membershipId, ids),
              gt(rosterExceptions.endsAt, new Date(now.getTime() - 7 * 86_400_000)),
            ),
          )
          .orderBy(asc(rosterExceptions.startsAt));
  return {
    timeZone,
    today,
    moderators: moderators.map((moderator) => ({
      ...moderator,
      shifts: shifts.filter((row) => row.membershipId === moderator.membershipId).map(toShiftView),
      exceptions: exceptions.filter((row) => row.membershipId === moderator.membershipId).map(toExceptionView),
    })),
  };
}

/** [start, end) minutes of a week, Monday 00:00 = 0, for overlap checks (an overnight shift runs past its day). */
function weekSpan(weekday: number, startMinute: number, endMinute: number): [number, number] {
  const start = weekday * 1440 + startMinute;
  return [start, endMinute <= startMinute ? start + 1440 - startMinute + endMinute : weekday * 1440 + endMinute];
}

function spansOverlap(a: [number, number], b: [number, number]): boolean {
  const week = 7 * 1440;
  // Sunday's overnight shift runs into Monday: compare with the other span a week later too.
  return [0, week, -week].some((shift) => a[0] < b[1] + shift && b[0] + shift < a[1]);
}

/** Adds a weekly shift for a moderator of the caller's clients, from `startsOn` (default today). */
export async function addRosterShift(
  scope: Scope,
  tx: Executor,
  input: RosterShiftInput,
  deps: RosterDeps = {},
): Promise<RosterShiftView> {
  const values = rosterShiftInput.parse(input);
  const moderator = await getPlannedModerator(scope, tx, values.membershipId);
  const timeZone = await agencyTimeZoneOf(scope, tx);
  const today = localWallTime((deps.now ?? systemClock)().getTime(), timeZone).date;
  const startsOn = values.startsOn ?? today;
  const weekday = rosterWeekdays.indexOf(values.weekday);
  const startMinute = parseClockTime(values.startTime);
  const endMinute = parseClockTime(values.endTime);
  const span = weekSpan(weekday, startMinute, endMinute);
  const existing = await tx
    .select()
    .from(rosterShifts)
    .where(
      and(
        eq(rosterShifts.agencyId, scope.agencyId),
        eq(rosterShifts.membershipId, moderator.membershipId),
        or(isNull(rosterShifts.endsOn), gt(rosterShifts.endsOn, startsOn)),
      ),
    )
    .for("update");
  const clash = existing.find((row) => spansOverlap(span, weekSpan(row.weekday, row.startMinute, row.endMinute)));
  if (clash) {
    const other = toShiftView(clash);
    const message = `overlaps ${moderator.name}'s ${other.weekday} ${other.startTime}–${other.endTime} shift`;
    throw new AppError("CONFLICT", `The shift ${message}`, {
      reason: "overlapping_shift",
      shiftId: clash.id,
      fields: { startTime: message },
    });
  }
  const [row] = await tx
    .insert(rosterShifts)
    .values({
      agencyId: scope.agencyId,
      membershipId: moderator.membershipId,
      weekday,
      startMinute,
      endMinute,
      startsOn,
      createdBy: scope.actorId,
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Shift was not saved");
  await recordAudit(tx, scope, {
    action: "staffing.shift_added",
    subjectType: "roster_shift",
    subjectId: row.id,
    after: row,
  });
  return toShiftView(row);
}

/**
 * Takes a shift off the roster from today: a shift that has been worked keeps its past weeks (its `endsOn` becomes
 * today), one that has not started yet is deleted.
 */
export async function endRosterShift(
  scope: Scope,
  tx: Executor,
  input: { shiftId: string },
  deps: RosterDeps = {},
): Promise<void> {
  const [row] = await tx
    .select()
    .from(rosterShifts)
    .where(and(eq(rosterShifts.id, input.shiftId), eq(rosterShifts.agencyId, scope.agencyId)))
    .for("update");
  const notFound = () => new AppError("NOT_FOUND", "Shift not found", { reason: "shift_not_found" });
  if (!row) throw notFound();
  await getPlannedModerator(scope, tx, row.membershipId, notFound);
  const timeZone = await agencyTimeZoneOf(scope, tx);
  const today = localWallTime((deps.now ?? systemClock)().getTime(), timeZone).date;
  if (row.startsOn >= today) {
    await tx.delete(rosterShifts).where(eq(rosterShifts.id, row.id));
  } else if (row.endsOn === null || row.endsOn > today) {
    await tx.update(rosterShifts).set({ endsOn: today, updatedAt: new Date() }).where(eq(rosterShifts.id, row.id));
  }
  await recordAudit(tx, scope, {
    action: "staffing.shift_ended",
    subjectType: "roster_shift",
    subjectId: row.id,
    before: row,
  });
}

/** Adds an absence or an extra shift for a moderator of the caller's clients; times are the agency's local time. */
export async function addRosterException(
  scope: Scope,
  tx: Executor,
  input: RosterExceptionInput,
): Promise<RosterExceptionView> {
  const values = rosterExceptionInput.parse(input);
  const moderator = await getPlannedModerator(scope, tx, values.membershipId);
  const timeZone = await agencyTimeZoneOf(scope, tx);
  const startsAt = wallTimeInstant(values.startDate, parseClockTime(values.startTime), timeZone);
  const endsAt = wallTimeInstant(values.endDate, parseClockTime(values.endTime), timeZone);
  if (endsAt <= startsAt) {
    throw new AppError("BAD_INPUT", "The exception must end after it starts", {
      reason: "validation",
      fields: { endTime: "must be after the start" },
    });
  }
  if (endsAt - startsAt > 92 * 86_400_000) {
    throw new AppError("BAD_INPUT", "An exception may cover at most 92 days", {
      reason: "validation",
      fields: { endDate: "must be at most 92 days after the start" },
    });
  }
  const [row] = await tx
    .insert(rosterExceptions)
    .values({
      agencyId: scope.agencyId,
      membershipId: moderator.membershipId,
      kind: values.kind,
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
      note: values.note || null,
      createdBy: scope.actorId,
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Exception was not saved");
  await recordAudit(tx, scope, {
    action: "staffing.exception_added",
    subjectType: "roster_exception",
    subjectId: row.id,
    after: row,
  });
  return toExceptionView(row);
}

export async function deleteRosterException(scope: Scope, tx: Executor, input: { exceptionId: string }): Promise<void> {
  const [row] = await tx
    .select()
    .from(rosterExceptions)
    .where(and(eq(rosterExceptions.id, input.exceptionId), eq(rosterExceptions.agencyId, scope.agencyId)));
  const notFound = () => new AppError("NOT_FOUND", "Roster exception not found", { reason: "exception_not_found" });
  if (!row) throw notFound();
  await getPlannedModerator(scope, tx, row.membershipId, notFound);
  await tx.delete(rosterExceptions).where(eq(rosterExceptions.id, row.id));
  await recordAudit(tx, scope, {
    action: "staffing.exception_deleted",
    subjectType: "roster_exception",
    subjectId: row.id,
    before: row,
  });
}
