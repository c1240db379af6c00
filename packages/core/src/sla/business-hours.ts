/**
 * A client's business hours, versioned and effective-dated (`business_calendars`): read the versions, the one in
 * force at an instant, and save a new version from a chosen date. Versions are never changed; a computation about
 * a past instant (a clock, a month's out-of-hours count) uses the version in force then.
 */
import { AppError, badInput } from "@parley/contracts";
import { localDate } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import { assertAllowed } from "../kernel/permissions";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { type BusinessCalendar, businessCalendarSchema } from "./business-calendar";
import { type BusinessHoursDay, previewBusinessHours } from "./business-hours-preview";
import { type CalendarVersion, calendarVersionAt } from "./clock-terms";
import { localWallTime, wallTimeInstant } from "./zone-offsets";

const { businessCalendars } = schema;
type CalendarRow = typeof businessCalendars.$inferSelect;

export const previewDays = 14;

export const businessHoursInput = z.object({
  clientId: z.uuid({ message: "must be a client id" }),
  /** The client's local date the hours apply from: today or later (today: from the moment they are saved). */
  effectiveFrom: localDate,
  /** null: covered around the clock. */
  calendar: businessCalendarSchema.nullable(),
});
export type BusinessHoursInput = z.infer<typeof businessHoursInput>;

export const businessHoursVersionView = z.object({
  id: z.uuid(),
  version: z.int(),
  effectiveFrom: z.string(),
  effectiveAt: z.date(),
  calendar: businessCalendarSchema.nullable(),
});

export const businessHoursView = z.object({
  clientId: z.uuid(),
  clientName: z.string(),
  /** The client's zone (contract periods, invoice months). */
  timeZone: z.string(),
  /** The version in force now; null: none was ever set (covered around the clock). */
  current: businessHoursVersionView.nullable(),
  /** Versions that apply from a later date. */
  upcoming: z.array(businessHoursVersionView),
  /** Every version, oldest first. */
  versions: z.array(businessHoursVersionView),
  /** The next 14 local days as they will be (each under the version in force that day). */
  preview: z.array(
    z.object({
      date: z.string(),
      weekday: z.string(),
      spans: z.array(z.tuple([z.string(), z.string()])),
      note: z.enum(["holiday", "override"]).nullable(),
    }),
  ),
});
export type BusinessHoursView = z.infer<typeof businessHoursView>;

function toVersion(row: CalendarRow): CalendarVersion {
  return {
    id: row.id,
    version: row.version,
    effectiveFrom: row.effectiveFrom,
    effectiveAt: row.effectiveAt,
    calendar: row.calendar as BusinessCalendar | null,
  };
}

/** Every business-hours version of the clients, oldest first, by client. */
export async function listCalendarVersions(
  tx: Executor,
  { clientIds }: { clientIds: readonly string[] },
): Promise<Map<string, CalendarVersion[]>> {
  const byClient = new Map<string, CalendarVersion[]>(clientIds.map((id) => [id, []]));
  if (clientIds.length === 0) return byClient;
  const rows = await tx
    .select()
    .from(businessCalendars)
    .where(inArray(businessCalendars.clientId, [...clientIds]))
    .orderBy(asc(businessCalendars.clientId), asc(businessCalendars.version));
  for (const row of rows) byClient.get(row.clientId)?.push(toVersion(row));
  return byClient;
}

/** The client's business calendar in force at `at`; null when it is covered around the clock then. */
export async function businessCalendarAt(
  tx: Executor,
  { clientId, at }: { clientId: string; at: Date },
): Promise<BusinessCalendar | null> {
  const versions = (await listCalendarVersions(tx, { clientIds: [clientId] })).get(clientId) ?? [];
  return calendarVersionAt(versions, at)?.calendar ?? null;
}

function daysPreview(timeZone: string, versions: readonly CalendarVersion[], now: Date): BusinessHoursDay[] {
  const days: BusinessHoursDay[] = [];
  const today = localWallTime(now.getTime(), timeZone).date;
  for (let offset = 0; offset < previewDays; offset += 1) {
    const date = new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
    const noon = new Date(wallTimeInstant(date, 12 * 60, timeZone));
    const version = calendarVersionAt(versions, offset === 0 ? now : noon);
    days.push(...previewBusinessHours(version?.calendar ?? null, date, 1));
  }
  return days;
}

export async function getBusinessHours(
  scope: Pick<Scope, "agencyId" | "clientIds">,
  tx: Executor,
  input: { clientId: string },
  deps: { now?: Clock } = {},
): Promise<BusinessHoursView> {
  const client = await getClient(scope, tx, input.clientId);
  const now = (deps.now ?? systemClock)();
  const versions = (await listCalendarVersions(tx, { clientIds: [client.id] })).get(client.id) ?? [];
  const current = calendarVersionAt(versions, now);
  return {
    clientId: client.id,
    clientName: client.name,
    timeZone: client.timeZone,
    current,
    upcoming: versions.filter((version) => version.effectiveAt > now),
    versions,
    preview: daysPreview(client.timeZone, versions, now),
  };
}

/**
 * Stores the client's next business-hours version (the caller has locked the client row and checked the input),
 * audited. The demo seed records its hours this way, in force since before its history.
 */
export async function recordCalendarVersion(
  scope: Scope,
  tx: Executor,
  input: { clientId: string; effectiveFrom: string; effectiveAt: Date; calendar: BusinessCalendar | null },
): Promise<CalendarVersion> {
  const [last] = await tx
    .select({ version: sql<number | null>`max(${businessCalendars.version})` })
    .from(businessCalendars)
    .where(and(eq(businessCalendars.clientId, input.clientId), eq(businessCalendars.agencyId, scope.agencyId)));
  const [row] = await tx
    .insert(businessCalendars)
    .values({
      agencyId: scope.agencyId,
      clientId: input.clientId,
      version: (last?.version ?? 0) + 1,
      effectiveFrom: input.effectiveFrom,
      effectiveAt: input.effectiveAt,
      calendar: input.calendar,
      createdBy: scope.actorId,
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Business hours were not saved");
  // The client row moves too, so every process's cached ingest context is read again.
  await tx.update(schema.clients).set({ updatedAt: new Date() }).where(eq(schema.clients.id, input.clientId));
  await recordAudit(tx, scope, {
    action: "client.business_hours_changed",
    subjectType: "client",
    subjectId: input.clientId,
    clientId: input.clientId,
    after: row,
  });
  return toVersion(row);
}

/**
 * Saves a new version of the client's business hours, in force from `effectiveFrom` (a local date in the client's
 * zone, today or later; today applies from now, so no instant already past is judged by it). A version already
 * planned from a later date stays planned after it. Running clocks keep the calendar they started with.
 */
export async function saveBusinessHours(
  scope: Scope,
  tx: Executor,
  rawInput: unknown,
  deps: { now?: Clock } = {},
): Promise<BusinessHoursView> {
  assertAllowed(scope, "administer");
  const now = (deps.now ?? systemClock)();
  const parsed = businessHoursInput.safeParse(rawInput);
  if (!parsed.success) throw badInput(parsed.error.issues);
  const input = parsed.data;
  const client = await getClient(scope, tx, input.clientId);
  // One version number at a time per client.
  await tx.execute(sql`select 1 from clients where id = ${client.id} for update`);
  const today = localWallTime(now.getTime(), client.timeZone).date;
  if (input.effectiveFrom < today) {
    throw badInput([
      {
        path: ["effectiveFrom"],
        message: `must be today (${today} in ${client.timeZone}) or later: the past keeps its hours`,
      },
    ]);
  }
  const midnight = new Date(wallTimeInstant(input.effectiveFrom, 0, client.timeZone));
  await recordCalendarVersion(scope, tx, {
    clientId: client.id,
    effectiveFrom: input.effectiveFrom,
    effectiveAt: midnight > now ? midnight : now,
    calendar: input.calendar,
  });
  return getBusinessHours(scope, tx, { clientId: client.id }, { now: () => now });
}
