import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./agencies";
import { contracts } from "./billing";
import { id, timestamps } from "./columns";
import { customers, items, priorityEnum } from "./moderation";
import { clientOwnedColumns, clientOwnedConstraints } from "./tenancy";

export const clockMetrics = ["first_response", "resolution"] as const;
export const clockMetricEnum = pgEnum("clock_metric", clockMetrics);
export const calendarKinds = ["24x7", "business_hours"] as const;
export const calendarKindEnum = pgEnum("calendar_kind", calendarKinds);

/**
 * A client's business hours, versioned and effective-dated: version n applies from `effectiveAt` (the start of
 * the local date `effectiveFrom` in the calendar's zone, or the moment it was saved when that date was today)
 * until the next version's. A computation about an instant uses the version in force then. `calendar` is a
 * core/sla BusinessCalendar; null = covered around the clock. Rows are never changed.
 */
export const businessCalendars = pgTable(
  "business_calendars",
  {
    id: id(),
    ...clientOwnedColumns(),
    version: integer().notNull(),
    effectiveFrom: date({ mode: "string" }).notNull(),
    effectiveAt: timestamp({ withTimezone: true }).notNull(),
    calendar: jsonb(),
    createdBy: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    ...clientOwnedConstraints(t),
    uniqueIndex("business_calendars_client_version_key").on(t.clientId, t.version),
    index("business_calendars_client_effective_idx").on(t.agencyId, t.clientId, t.effectiveAt),
  ],
).enableRLS();

/**
 * One contractual clock per item and metric. `priority` is the priority whose target this clock runs on: the
 * item's priority when the clock started, kept when the item is later reclassified (the target, and so the
 * SLA evidence and invoice lines, stay with it). The calendar the target runs on is `calendarVersionId`'s (the
 * business-hours version in force when it started, which is never changed, so later calendar edits do not move
 * running deadlines; null for 24x7 or a client without hours: around the clock); `calendar` holds a copy only for
 * clocks started before that was so (null otherwise: core/sla `clockCalendar` reads either). `calendarKind` and
 * `contractId` (null: the agency's default SLA policy) say where the target came from. `pauses` are
 * `[start, end)` ISO pairs; an open pause has a null end. Client-side time is the paused time spent
 * waiting on the client, kept apart for invoices.
 */
export const slaClocks = pgTable(
  "sla_clocks",
  {
    id: id(),
    ...clientOwnedColumns(),
    itemId: uuid()
      .notNull()
      .references(() => items.id),
    metric: clockMetricEnum().notNull(),
    priority: priorityEnum().notNull(),
    targetMinutes: integer().notNull(),
    calendar: jsonb(),
    calendarKind: calendarKindEnum().notNull().default("24x7"),
    calendarVersionId: uuid().references(() => businessCalendars.id),
    contractId: uuid().references(() => contracts.id),
    atRiskRatio: text().notNull().default("0.8"),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    atRiskAt: timestamp({ withTimezone: true }).notNull(),
    pauses: jsonb().notNull().default(sql`'[]'::jsonb`),
    clientSideMs: bigint({ mode: "number" }).notNull().default(0),
    stoppedAt: timestamp({ withTimezone: true }),
    atRiskRecordedAt: timestamp({ withTimezone: true }),
    breachedAt: timestamp({ withTimezone: true }),
    /**
     * When the wake-up queue armed the SLA watch of the clock's item, at the clock's at-risk instant (null: not yet).
     * Ingest starts clocks without a watch: most stop before they are at risk.
     */
    watchArmedAt: timestamp({ withTimezone: true }),
    /** Set when the clock stops: whether it stopped by its due time. */
    met: boolean(),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    uniqueIndex("sla_clocks_item_metric_key").on(t.itemId, t.metric),
    index("sla_clocks_running_idx").on(t.agencyId, t.dueAt).where(sql`${t.stoppedAt} is null`),
    // The running clocks whose item's watch is not armed yet, by at-risk instant: the wake-up queue arms it when that
    // instant comes.
    index("sla_clocks_unwatched_idx")
      .on(t.agencyId, t.atRiskAt)
      .where(sql`${t.watchArmedAt} is null and ${t.stoppedAt} is null and ${t.breachedAt} is null`),
    // A credit line's breached items: a client's clocks that stopped late, in the drill-down's order (start, item).
    // Priority and metric are read from it but not searched: enum equality is not leakproof, so under row-level
    // security it cannot be an index condition.
    index("sla_clocks_breached_idx")
      .on(t.agencyId, t.clientId, t.startedAt, t.itemId, t.priority, t.metric)
      .where(sql`${t.stoppedAt} > ${t.dueAt}`),
    // A client's month of clocks (invoice drafts, evidence): every column the SLA aggregate reads, so it scans
    // this index alone, in the evidence's order (start, item, metric).
    // A console's P1 alert: a client's latest P1 arrival, one look whatever else arrived that day.
    index("sla_clocks_p1_started_idx")
      .on(t.agencyId, t.clientId, t.startedAt)
      .where(sql`${t.metric} = 'first_response' and ${t.priority} = 'P1'`),
    index("sla_clocks_client_started_idx").on(
      t.agencyId,
      t.clientId,
      t.startedAt,
      t.itemId,
      t.metric,
      t.priority,
      t.dueAt,
      t.stoppedAt,
    ),
  ],
).enableRLS();

/**
 * An escalation playbook of a client: triggers, ordered levels, the customer follow-up cadence and
 * whether the agency may acknowledge automatically. `document` is validated by core.
 */
export const playbooks = pgTable(
  "playbooks",
  {
    id: id(),
    ...clientOwnedColumns(),
    name: text().notNull(),
    document: jsonb().notNull(),
    active: boolean().notNull().default(true),
    ...timestamps,
  },
  (t) => [...clientOwnedConstraints(t), index().on(t.agencyId, t.clientId)],
).enableRLS();

export const escalationStatuses = ["open", "acknowledged", "resolved", "cancelled"] as const;
export const escalationStatusEnum = pgEnum("escalation_status", escalationStatuses);

/** An item handed over to the client's specialists, with the packet built once at escalation. */
export const escalations = pgTable(
  "escalations",
  {
    id: id(),
    ...clientOwnedColumns(),
    itemId: uuid()
      .notNull()
      .references(() => items.id),
    customerId: uuid().references(() => customers.id),
    playbookId: uuid().references(() => playbooks.id),
    level: integer().notNull().default(0),
    /**
     * An automatic escalation of an item of the same incident as an open one (near-identical text, same playbook):
     * it rides on that escalation — the client sees, is told of and answers that one, which counts its items — and
     * takes its answer. Null for an escalation the client sees.
     */
    rolledUpIntoId: uuid().references((): AnyPgColumn => escalations.id),
    status: escalationStatusEnum().notNull().default("open"),
    /** The hand-over packet: item, thread, customer's other conversations, what was said, protocol excerpt, clocks. */
    packet: jsonb().notNull(),
    /** Triage state the workflow advances (levels reminded, updates sent, acknowledgement). */
    workflowState: jsonb().notNull().default(sql`'{}'::jsonb`),
    levelStartedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    answer: text(),
    answeredBy: uuid().references(() => users.id),
    answeredAt: timestamp({ withTimezone: true }),
    resolvedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    index().on(t.agencyId, t.clientId, t.status),
    // Escalations opened in a client's month (invoice drafts).
    index("escalations_client_created_idx").on(t.agencyId, t.clientId, t.createdAt),
    // An item's escalations (a report's rows read each item's first escalation and answer).
    index("escalations_item_idx").on(t.agencyId, t.itemId),
    // The items rolled up into an escalation.
    index("escalations_rolled_up_idx").on(t.rolledUpIntoId).where(sql`${t.rolledUpIntoId} is not null`),
    // The open escalations an automatic one of the same incident may roll up into, newest first: in a spike the
    // client's other escalations are mostly rolled up, and scanning past them cost each triage step ~650 buffers.
    index("escalations_incident_candidates_idx")
      .on(t.agencyId, t.clientId, t.createdAt)
      .where(sql`${t.status} in ('open', 'acknowledged') and ${t.rolledUpIntoId} is null`),
    uniqueIndex("escalations_open_item_key").on(t.itemId).where(sql`${t.status} in ('open', 'acknowledged')`),
  ],
).enableRLS();

/**
 * Persisted wake-ups of the embedded workflow driver: the next time `advance…` must run for a
 * subject. Claimed with FOR UPDATE SKIP LOCKED, per agency, so two processes never double-act.
 */
export const workflowWakeups = pgTable(
  "workflow_wakeups",
  {
    id: id(),
    ...clientOwnedColumns(),
    flow: text({ enum: ["triage", "clock"] }).notNull(),
    subjectId: uuid().notNull(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    /** A wake-up waiting for an event also wakes at its timeout (dueAt). */
    waitingFor: text(),
    lockedUntil: timestamp({ withTimezone: true }),
    attempts: integer().notNull().default(0),
    lastError: text(),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    uniqueIndex("workflow_wakeups_flow_subject_key").on(t.flow, t.subjectId),
    index("workflow_wakeups_due_idx").on(t.agencyId, t.dueAt),
  ],
).enableRLS();

/** In-app notices (portal inbox, console); e-mail and webhooks are sent alongside. */
export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    ...clientOwnedColumns(),
    recipientUserId: uuid().references(() => users.id),
    kind: text().notNull(),
    subjectType: text().notNull(),
    subjectId: uuid().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    readAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [...clientOwnedConstraints(t), index().on(t.agencyId, t.recipientUserId, t.createdAt)],
).enableRLS();
