import { rosterExceptionKinds } from "@parley/contracts";
import { sql } from "drizzle-orm";
import {
  check,
  date,
  index,
  integer,
  numeric,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { agencies, memberships, users } from "./agencies";
import { id, tenantPolicy, timestamps } from "./columns";
import { clientOwnedColumns, clientOwnedConstraints } from "./tenancy";

/** An agency's staffing settings; no row = the defaults (`defaultStaffingSettings` in contracts). */
export const staffingSettings = pgTable(
  "staffing_settings",
  {
    agencyId: uuid()
      .primaryKey()
      .references(() => agencies.id),
    maxOccupancyPercent: integer().notNull(),
    shrinkagePercent: integer().notNull(),
    fallbackAhtSeconds: integer().notNull(),
    triageAhtSeconds: integer().notNull(),
    updatedBy: uuid().references(() => users.id),
    ...timestamps,
  },
  (t) => [
    check("staffing_settings_max_occupancy_check", sql`${t.maxOccupancyPercent} between 1 and 100`),
    check("staffing_settings_shrinkage_check", sql`${t.shrinkagePercent} between 0 and 99`),
    check("staffing_settings_aht_check", sql`${t.fallbackAhtSeconds} > 0 and ${t.triageAhtSeconds} > 0`),
    tenantPolicy(t),
  ],
).enableRLS();

/** A surge a lead expects for a client (a launch, a campaign): arrivals × `multiplier` from `startsAt`. */
export const plannedEvents = pgTable(
  "planned_events",
  {
    id: id(),
    ...clientOwnedColumns(),
    name: text().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    durationMinutes: integer().notNull(),
    multiplier: numeric({ precision: 7, scale: 2, mode: "number" }).notNull(),
    createdBy: uuid().references(() => users.id),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    check("planned_events_duration_check", sql`${t.durationMinutes} > 0`),
    check("planned_events_multiplier_check", sql`${t.multiplier} >= 0`),
    index().on(t.agencyId, t.startsAt),
  ],
).enableRLS();

/**
 * A recurring weekly shift of a moderator, in the agency's time zone: `weekday` 0 = Monday … 6 = Sunday, minutes
 * after local midnight (an end at or before the start runs into the next day), on the local dates
 * `[startsOn, endsOn)` (null: until further notice). Ending a shift sets `endsOn`, so past weeks keep their roster.
 */
export const rosterShifts = pgTable(
  "roster_shifts",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    membershipId: uuid()
      .notNull()
      .references(() => memberships.id, { onDelete: "cascade" }),
    weekday: smallint().notNull(),
    startMinute: smallint().notNull(),
    endMinute: smallint().notNull(),
    startsOn: date({ mode: "string" }).notNull(),
    endsOn: date({ mode: "string" }),
    createdBy: uuid().references(() => users.id),
    ...timestamps,
  },
  (t) => [
    check("roster_shifts_weekday_check", sql`${t.weekday} between 0 and 6`),
    check(
      "roster_shifts_minutes_check",
      sql`${t.startMinute} between 0 and 1439 and ${t.endMinute} between 1 and 1440`,
    ),
    check("roster_shifts_dates_check", sql`${t.endsOn} is null or ${t.endsOn} > ${t.startsOn}`),
    index().on(t.agencyId, t.membershipId),
    tenantPolicy(t),
  ],
).enableRLS();

export const rosterExceptionKindEnum = pgEnum("roster_exception_kind", rosterExceptionKinds);

/** A one-off change to a moderator's roster: an absence takes them off shift, an extra puts them on. */
export const rosterExceptions = pgTable(
  "roster_exceptions",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    membershipId: uuid()
      .notNull()
      .references(() => memberships.id, { onDelete: "cascade" }),
    kind: rosterExceptionKindEnum().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    note: text(),
    createdBy: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("roster_exceptions_range_check", sql`${t.endsAt} > ${t.startsAt}`),
    index().on(t.agencyId, t.startsAt),
    tenantPolicy(t),
  ],
).enableRLS();
