import { sql } from "drizzle-orm";
import { date, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
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
