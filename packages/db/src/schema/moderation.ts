import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgPolicy,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./agencies";
import { channels, platformEnum } from "./clients";
import { appRole, id, tenantPolicy, timestamps } from "./columns";
import { clientOwnedColumns, clientOwnedConstraints } from "./tenancy";

export const itemStatuses = [
  "queued",
  "claimed",
  "responded",
  "hidden",
  "deleted",
  "no_action",
  "escalated",
  "resolved",
] as const;
export type ItemStatus = (typeof itemStatuses)[number];
export const itemPriorities = ["P1", "P2", "P3", "P4"] as const;
export const itemAuthorities = ["respond", "approval", "triage"] as const;
export const itemModerationActions = ["hide", "delete", "flag"] as const;
/** The connectors' item kinds (db imports nothing internal but contracts, so the list is repeated here). */
export const itemKindValues = [
  "comment",
  "post",
  "reply",
  "direct_message",
  "mention",
  "review",
  "forum_post",
] as const;

export const itemStatusEnum = pgEnum("item_status", itemStatuses);
export const priorityEnum = pgEnum("priority", itemPriorities);
export const categoryAuthorityEnum = pgEnum("category_authority", itemAuthorities);
export const moderationActionEnum = pgEnum("moderation_action", itemModerationActions);
export const itemKindEnum = pgEnum("item_kind", itemKindValues);

/**
 * Webhook receivers find a channel before they know its tenant: inside a transaction that sets
 * `app.ingest_channel_id` (and nothing else), the app role may read that one channel row. Only server
 * code sets the setting, and only after routing on the channel id from the URL.
 */
export const channelIngestLookup = pgPolicy("ingest_lookup", {
  as: "permissive",
  for: "select",
  to: appRole,
  using: sql`${channels.id} = nullif(current_setting('app.ingest_channel_id', true), '')::uuid`,
}).link(channels);

/** An immutable version of a client's brand protocol; at most one per client is active. */
export const protocolVersions = pgTable(
  "protocol_versions",
  {
    id: id(),
    ...clientOwnedColumns(),
    version: integer().notNull(),
    /** A `protocolDocument` (core/protocols), as parsed: defaults applied. */
    document: jsonb().notNull(),
    createdBy: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    active: boolean().notNull().default(false),
  },
  (t) => [
    ...clientOwnedConstraints(t),
    unique("protocol_versions_client_version_key").on(t.clientId, t.version),
    uniqueIndex("protocol_versions_one_active_key").on(t.clientId).where(sql`${t.active}`),
    index().on(t.agencyId, t.clientId),
  ],
).enableRLS();

/** A person writing to a client's channels, the same across channels through their identities. */
export const customers = pgTable(
  "customers",
  {
    id: id(),
    ...clientOwnedColumns(),
    displayName: text(),
    ...timestamps,
  },
  (t) => [...clientOwnedConstraints(t), index().on(t.agencyId, t.clientId)],
).enableRLS();

/** One platform account of a customer. */
export const customerIdentities = pgTable(
  "customer_identities",
  {
    id: id(),
    ...clientOwnedColumns(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    /** The channel the identity was first seen on. */
    channelId: uuid()
      .notNull()
      .references(() => channels.id),
    platform: platformEnum().notNull(),
    externalAuthorId: text().notNull(),
    handle: text().notNull(),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    uniqueIndex("customer_identities_client_platform_author_key").on(t.clientId, t.platform, t.externalAuthorId),
    index().on(t.agencyId, t.customerId),
  ],
).enableRLS();

/** One inbound message (comment, post, reply, DM, mention, review, forum post). */
export const items = pgTable(
  "items",
  {
    id: id(),
    ...clientOwnedColumns(),
    channelId: uuid()
      .notNull()
      .references(() => channels.id),
    externalId: text().notNull(),
    /**
     * Another name the platform uses for this item in replies to it (Discourse: `topic:<topic id>#<post number>`),
     * so a reply naming its parent that way links up too.
     */
    aliasExternalId: text(),
    kind: itemKindEnum().notNull(),
    threadExternalId: text(),
    parentExternalId: text(),
    parentItemId: uuid().references((): AnyPgColumn => items.id, { onDelete: "set null" }),
    customerId: uuid().references(() => customers.id),
    authorExternalId: text().notNull(),
    authorHandle: text().notNull(),
    authorDisplayName: text(),
    /**
     * Written by the client's own account on the platform (the brand): an echo of a reply Parley sent, or one
     * posted on the platform directly. Shown in its thread; never queued, classified, clocked or billed.
     */
    byBrand: boolean().notNull().default(false),
    /** The title the item carries on the platform (a Discourse topic's first post). Classified with the body. */
    title: text(),
    body: text().notNull(),
    language: text(),
    url: text(),
    /** When the platform says the item was written. */
    createdAt: timestamp({ withTimezone: true }).notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    status: itemStatusEnum().notNull().default("queued"),
    categoryKey: text(),
    priority: priorityEnum().notNull().default("P3"),
    riskFlags: text().array().notNull().default(sql`'{}'::text[]`),
    authority: categoryAuthorityEnum().notNull().default("respond"),
    /**
     * Personal data masked out of the text at ingest (`pii:card`, `pii:iban`, `pii:email`, `pii:phone`): the text
     * stored here never holds it.
     */
    piiFlags: text().array().notNull().default(sql`'{}'::text[]`),
    /** What the protocol's moderation rules call for (not yet taken). */
    moderationAction: moderationActionEnum(),
    protocolVersionId: uuid().references(() => protocolVersions.id),
    claimedBy: uuid().references(() => users.id),
    claimExpiresAt: timestamp({ withTimezone: true }),
    /** Free-form labels moderators put on items (recurring topics, campaigns). */
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    /** When the platform reported the item removed. */
    removedAt: timestamp({ withTimezone: true }),
    /** The status a platform removal replaced (it took the item out of the queue); a recovery puts it back. */
    statusBeforeRemoval: itemStatusEnum(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    ...clientOwnedConstraints(t),
    uniqueIndex("items_agency_channel_external_key").on(t.agencyId, t.channelId, t.externalId),
    // Claim next: queued items of the caller's clients, most urgent first, oldest first.
    index("items_claim_queued_idx")
      .on(t.agencyId, t.clientId, t.priority, t.receivedAt)
      .where(sql`${t.status} = 'queued'`),
    // Abandoned claims come back: the agency's claimed items by lease expiry, whatever their client, so finding the
    // lapsed ones is one range of this index rather than one search per client (claim next looks at every batch).
    index("items_claim_expired_idx").on(t.agencyId, t.claimExpiresAt).where(sql`${t.status} = 'claimed'`),
    // Replies that arrived before their parent, waiting to be linked.
    index("items_unlinked_parent_idx")
      .on(t.agencyId, t.channelId, t.parentExternalId)
      .where(sql`${t.parentItemId} is null and ${t.parentExternalId} is not null`),
    index("items_alias_idx")
      .on(t.agencyId, t.channelId, t.aliasExternalId)
      .where(sql`${t.aliasExternalId} is not null`),
    // A thread and a customer's items in order (the console's thread and the customer's other conversations, the
    // hand-over packet's): a launch thread of thousands of comments, or a fan who wrote 500 times in a spike, is
    // read as far as the page goes, not all of it sorted for each escalation.
    index().on(t.agencyId, t.channelId, t.threadExternalId, t.createdAt),
    index().on(t.agencyId, t.customerId, t.createdAt),
    // A client's month (invoice drafts count its items, in and out of business hours): read from the index alone.
    // The brand's own messages are not work the client pays for.
    index("items_client_received_idx").on(t.agencyId, t.clientId, t.receivedAt).where(sql`not ${t.byBrand}`),
    // Clusters (`listItemClusters`): a client's open items, newest first, without wading through its history.
    index("items_client_open_idx")
      .on(t.agencyId, t.clientId, t.receivedAt)
      .where(sql`${t.status} in ('queued', 'claimed') and not ${t.byBrand} and ${t.removedAt} is null`),
  ],
).enableRLS();

/**
 * The queue's counts kept as they change: each row adds `items` (negative to take away) to the count of one
 * client's queued items of a priority, or of one moderator's claims. Triggers on `items` (migration 0046) append
 * a row for every change of a queued or claimed item's status, priority, holder or client, so counting a queue of
 * any length reads a few rows instead of every queued item; the counts' reader folds the rows into one per key
 * (`readAgencyQueueCounts`). No foreign keys: each would lock the client's row for every claim.
 */
export const queueTallies = pgTable(
  "queue_tallies",
  {
    id: id(),
    agencyId: uuid().notNull(),
    clientId: uuid().notNull(),
    status: itemStatusEnum().notNull(),
    priority: priorityEnum().notNull(),
    /** The holder, for claimed items; null for queued ones. */
    claimedBy: uuid(),
    items: integer().notNull(),
  },
  (t) => [tenantPolicy(t), index().on(t.agencyId)],
).enableRLS();
