import { sql } from "drizzle-orm";
import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { tenantPolicy } from "./columns";
import { itemStatusEnum, moderationActionEnum, priorityEnum } from "./moderation";
import { deliveryStatusEnum } from "./replies";

/**
 * A report's settled rows ("item facts"): per customer item of a materialized client-day (`itemFactDays`), the
 * columns core's `reportRowsCte` builds from the item, its replies, deliveries, clocks, escalations and the audit
 * trail that do not depend on when the report is read, written by the facts sweep with that very statement (core,
 * `reports/item-facts.unscoped.ts`). What a report judges at read time (a running clock's breach, local dates, business
 * hours, names) is derived when read. No foreign keys: derived rows, rewritten whole per client-day.
 */
export const itemFacts = pgTable(
  "item_facts",
  {
    /** The item's id. */
    id: uuid().primaryKey(),
    agencyId: uuid().notNull(),
    clientId: uuid().notNull(),
    channelId: uuid().notNull(),
    customerId: uuid(),
    authorHandle: text().notNull(),
    categoryKey: text(),
    tags: text().array().notNull(),
    priority: priorityEnum().notNull(),
    status: itemStatusEnum().notNull(),
    moderationAction: moderationActionEnum(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull(),
    acknowledgedAt: timestamp({ withTimezone: true }),
    usefulAnswerAt: timestamp({ withTimezone: true }),
    repliesSent: integer().notNull(),
    /** The authors of its confirmed replies (their names are read with the report). */
    moderatorIds: uuid().array().notNull(),
    firstResponseDueAt: timestamp({ withTimezone: true }),
    firstResponseAt: timestamp({ withTimezone: true }),
    /** `met`, `breached`, `paused` or `running` (judged against the report's instant when read); null: no clock. */
    firstResponseStanding: text(),
    firstResponseSeconds: doublePrecision(),
    resolutionDueAt: timestamp({ withTimezone: true }),
    resolvedAt: timestamp({ withTimezone: true }),
    resolutionStanding: text(),
    resolutionSeconds: doublePrecision(),
    escalatedAt: timestamp({ withTimezone: true }),
    escalationAnsweredAt: timestamp({ withTimezone: true }),
    deliveryStatus: deliveryStatusEnum(),
    handledAt: timestamp({ withTimezone: true }),
    handlers: uuid().array().notNull(),
    handlingSeconds: doublePrecision(),
    openUntil: timestamp({ withTimezone: true }).notNull(),
    /** Its measured claims: each claim's moderator and seconds (parallel arrays). */
    claimModeratorIds: uuid().array().notNull(),
    claimSeconds: doublePrecision().array().notNull(),
    /** The clock hours in which each moderator claimed or handled it (parallel arrays, one entry per pair). */
    workModeratorIds: uuid().array().notNull(),
    workHours: timestamp({ withTimezone: true }).array().notNull(),
  },
  (t) => [
    tenantPolicy(t),
    // A client's period: one range of this index, its rows written together per client-day.
    index("item_facts_client_received_idx").on(t.agencyId, t.clientId, t.receivedAt),
    // The backlog: the items ever open, by when they stopped being open.
    index("item_facts_client_open_idx")
      .on(t.agencyId, t.clientId, t.openUntil, t.receivedAt)
      .where(sql`${t.openUntil} > ${t.receivedAt}`),
  ],
).enableRLS();

/**
 * The client-days (UTC dates of `items.received_at`) whose item facts are fresh: written with them by the sweep, and
 * deleted by triggers (migration 0053) at any later write that changes what a report reads of one of the day's items,
 * so a report reads facts for the days listed and builds the others' rows from the items as they are.
 */
export const itemFactDays = pgTable(
  "item_fact_days",
  {
    agencyId: uuid().notNull(),
    clientId: uuid().notNull(),
    day: date().notNull(),
    materializedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.agencyId, t.clientId, t.day] }), tenantPolicy(t)],
).enableRLS();

/**
 * A report's figures per cell of a materialized client-day (`itemFactDays`): its items grouped by local date, local
 * hour, channel, priority and side of business hours (the client's zone and hours when written), with what adds up
 * (counts) and each duration's values, from which a report takes any grouping's median and 90th percentile. Written
 * with the day's facts, from the very rows a report builds (core `reportCells`), so a report of fresh days reads a few
 * thousand cells instead of a month of rows. A running clock's breach depends on when the report is read: its due
 * instant is kept. A change of the client's time zone marks its days stale (migration 0057), and so does a calendar
 * version taking effect before them (0058).
 */
export const reportCells = pgTable(
  "report_cells",
  {
    agencyId: uuid().notNull(),
    clientId: uuid().notNull(),
    /** The UTC date of the items' arrival: the client-day the cell was written with. */
    day: date().notNull(),
    localDate: date().notNull(),
    localHour: integer().notNull(),
    channelId: uuid().notNull(),
    priority: priorityEnum().notNull(),
    inHours: boolean().notNull(),
    itemsIn: integer().notNull(),
    acknowledgedCount: integer().notNull(),
    usefulAnswerCount: integer().notNull(),
    repliesSent: integer().notNull(),
    firstResponseCount: integer().notNull(),
    firstResponseMet: integer().notNull(),
    /** Clocks that stopped late (running ones past due are counted when read, from `firstResponseRunningDue`). */
    firstResponseBreached: integer().notNull(),
    firstResponseRunningDue: timestamp({ withTimezone: true }).array().notNull(),
    resolutionCount: integer().notNull(),
    resolutionMet: integer().notNull(),
    resolutionBreached: integer().notNull(),
    resolutionRunningDue: timestamp({ withTimezone: true }).array().notNull(),
    hidden: integer().notNull(),
    deleted: integer().notNull(),
    noAction: integer().notNull(),
    escalated: integer().notNull(),
    clientAnswerCount: integer().notNull(),
    handled: integer().notNull(),
    handlingCount: integer().notNull(),
    acknowledgedSeconds: doublePrecision().array().notNull(),
    usefulAnswerSeconds: doublePrecision().array().notNull(),
    firstResponseSeconds: doublePrecision().array().notNull(),
    resolutionSeconds: doublePrecision().array().notNull(),
    clientAnswerSeconds: doublePrecision().array().notNull(),
    handlingSeconds: doublePrecision().array().notNull(),
  },
  (t) => [
    primaryKey({
      name: "report_cells_pk",
      columns: [t.agencyId, t.clientId, t.day, t.localDate, t.localHour, t.channelId, t.priority, t.inHours],
    }),
    tenantPolicy(t),
  ],
).enableRLS();

/**
 * Each moderator's work on a materialized client-day's items, per local date, channel and priority: the items they
 * handled, their measured claims' seconds and the clock hours they worked on them (a report counts the distinct
 * hours of all its cells). Written and marked stale with `reportCells`.
 */
export const reportModeratorCells = pgTable(
  "report_moderator_cells",
  {
    agencyId: uuid().notNull(),
    clientId: uuid().notNull(),
    day: date().notNull(),
    localDate: date().notNull(),
    channelId: uuid().notNull(),
    priority: priorityEnum().notNull(),
    moderatorId: uuid().notNull(),
    handled: integer().notNull(),
    claimSeconds: doublePrecision().array().notNull(),
    workHours: timestamp({ withTimezone: true }).array().notNull(),
  },
  (t) => [
    primaryKey({
      name: "report_moderator_cells_pk",
      columns: [t.agencyId, t.clientId, t.day, t.localDate, t.channelId, t.priority, t.moderatorId],
    }),
    tenantPolicy(t),
  ],
).enableRLS();

/**
 * The items of a materialized client-day that were ever open (the backlog counts them), per channel and priority:
 * each one's arrival and the instant it stopped being open (parallel arrays; 'infinity' while it waits), and the latest
 * of those, by which a report finds the older days whose items may still be open in its period. Written and marked
 * stale with `reportCells`.
 */
export const reportBacklogCells = pgTable(
  "report_backlog_cells",
  {
    agencyId: uuid().notNull(),
    clientId: uuid().notNull(),
    day: date().notNull(),
    channelId: uuid().notNull(),
    priority: priorityEnum().notNull(),
    openUntilLatest: timestamp({ withTimezone: true }).notNull(),
    receivedAt: timestamp({ withTimezone: true }).array().notNull(),
    openUntil: timestamp({ withTimezone: true }).array().notNull(),
  },
  (t) => [
    primaryKey({ name: "report_backlog_cells_pk", columns: [t.agencyId, t.clientId, t.day, t.channelId, t.priority] }),
    index("report_backlog_cells_open_idx").on(t.agencyId, t.clientId, t.openUntilLatest),
    tenantPolicy(t),
  ],
).enableRLS();
