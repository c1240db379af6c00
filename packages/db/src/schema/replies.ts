import { apiKeyReadScopes, outboundActions } from "@parley/contracts";
import { sql } from "drizzle-orm";
import {
  bigint,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgPolicy,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { agencies, users } from "./agencies";
import { channels, clients } from "./clients";
import { appRole, id, tenantPolicy, timestamps } from "./columns";
import { items, protocolVersions } from "./moderation";
import { clientOwnedColumns, clientOwnedConstraints } from "./tenancy";

export const replyKinds = ["reply", "acknowledgement", "follow_up"] as const;
export const replyStatuses = ["draft", "pending_approval", "approved", "rejected", "sent", "failed"] as const;
export const replyKindEnum = pgEnum("reply_kind", replyKinds);
export const replyStatusEnum = pgEnum("reply_status", replyStatuses);

/** Outbound text on an item's public thread: `draft → pending_approval → approved → sent | failed`. */
export const replies = pgTable(
  "replies",
  {
    id: id(),
    ...clientOwnedColumns(),
    itemId: uuid()
      .notNull()
      .references(() => items.id),
    channelId: uuid()
      .notNull()
      .references(() => channels.id),
    kind: replyKindEnum().notNull().default("reply"),
    body: text().notNull(),
    status: replyStatusEnum().notNull().default("draft"),
    /** The `checkReply` results at the last save or send. */
    checkResults: jsonb().notNull().default(sql`'[]'::jsonb`),
    requiresApproval: text({ enum: ["none", "client", "agency_lead"] })
      .notNull()
      .default("none"),
    authorUserId: uuid().references(() => users.id),
    decidedBy: uuid().references(() => users.id),
    decidedAt: timestamp({ withTimezone: true }),
    decisionComment: text(),
    protocolVersionId: uuid().references(() => protocolVersions.id),
    /** The platform's id for the published reply. */
    externalId: text(),
    sentAt: timestamp({ withTimezone: true }),
    failureReason: text(),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    index().on(t.agencyId, t.itemId),
    index("replies_pending_approval_idx")
      .on(t.agencyId, t.clientId, t.createdAt)
      .where(sql`${t.status} = 'pending_approval'`),
    // A report's replies, item by item (first acknowledgement, first useful answer, who sent them): every column it
    // reads, row-level security's client included, so each item's probe reads this index alone.
    index("replies_item_sent_idx")
      .on(t.agencyId, t.itemId, t.sentAt, t.kind, t.authorUserId, t.clientId)
      .where(sql`${t.status} = 'sent'`),
    index("replies_sent_recent_idx").on(t.agencyId, t.clientId, t.sentAt).where(sql`${t.status} = 'sent'`),
    // A channel's latest acknowledgement (the next one takes another template): one look, however many replies.
    index("replies_channel_acknowledgement_idx")
      .on(t.agencyId, t.channelId, t.createdAt)
      .where(sql`${t.kind} = 'acknowledgement'`),
    // An echo of a published reply finds it by the platform's id.
    index("replies_external_idx").on(t.agencyId, t.channelId, t.externalId).where(sql`${t.externalId} is not null`),
  ],
).enableRLS();

/** `cancelled`: a failed delivery a moderator gave up on (audited); it is never sent. */
export const deliveryStatuses = ["pending", "sent", "failed", "cancelled"] as const;
export const deliveryActionEnum = pgEnum("delivery_action", outboundActions);
export const deliveryStatusEnum = pgEnum("delivery_status", deliveryStatuses);

/**
 * The outbox: public actions to carry out on the platform after the transaction that decided them
 * commits. Retried with backoff; a failure stays visible with its reason.
 */
export const outboundDeliveries = pgTable(
  "outbound_deliveries",
  {
    id: id(),
    ...clientOwnedColumns(),
    channelId: uuid()
      .notNull()
      .references(() => channels.id),
    itemId: uuid()
      .notNull()
      .references(() => items.id),
    replyId: uuid().references(() => replies.id),
    action: deliveryActionEnum().notNull(),
    status: deliveryStatusEnum().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    result: jsonb(),
    /**
     * The item the platform echoed back for what this delivery posted (a reply by the brand's own account with the
     * platform id the delivery was given): the platform's own confirmation that the reply is public.
     */
    echoItemId: uuid().references(() => items.id),
    echoedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    index("outbound_deliveries_due_idx").on(t.agencyId, t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // Channels' delivery health (failed, or failed once and retrying): a short range per channel.
    index("outbound_deliveries_problem_idx")
      .on(t.agencyId, t.channelId, t.updatedAt)
      .where(sql`${t.status} <> 'sent' and ${t.lastError} is not null`),
    // An item's deliveries, and a report's latest delivery per item: every column it reads (row-level security's
    // client included), so each item's probe reads this index alone.
    index("outbound_deliveries_item_idx").on(t.agencyId, t.itemId, t.createdAt, t.status, t.clientId),
    // A reply's delivery: the platform's echo of a published reply confirms it at ingest, and a failed reply's
    // resend cancels it. Without it each look scanned every delivery of the agency.
    index("outbound_deliveries_reply_idx").on(t.agencyId, t.replyId).where(sql`${t.replyId} is not null`),
  ],
).enableRLS();

/** Internal notes moderators leave on an item (never public). */
export const itemNotes = pgTable(
  "item_notes",
  {
    id: id(),
    ...clientOwnedColumns(),
    itemId: uuid()
      .notNull()
      .references(() => items.id),
    authorUserId: uuid()
      .notNull()
      .references(() => users.id),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [...clientOwnedConstraints(t), index().on(t.agencyId, t.itemId)],
).enableRLS();

/**
 * Agency API keys for the public REST API. Only the SHA-256 of the key is stored. Before the tenant is
 * known, the app role may read exactly the row whose hash the server put in `app.api_key_hash`. `scopes`
 * say what the key may do on `/v1` (keys made before scopes existed were given every read scope, the
 * column's default); `client_id` restricts it to one client; past `expires_at` it is refused.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    name: text().notNull(),
    /** The first characters of the key, to recognise it in lists. */
    prefix: text().notNull(),
    keyHash: text().notNull(),
    createdBy: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    requestCount: bigint({ mode: "number" }).notNull().default(0),
    scopes: text()
      .array()
      .notNull()
      .default(sql.raw(`'{${apiKeyReadScopes.join(",")}}'::text[]`)),
    clientId: uuid(),
    expiresAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_key").on(t.keyHash),
    foreignKey({ columns: [t.agencyId, t.clientId], foreignColumns: [clients.agencyId, clients.id] }),
    index().on(t.agencyId),
    tenantPolicy(t),
    pgPolicy("api_key_lookup", {
      as: "permissive",
      for: "select",
      to: appRole,
      using: sql`${t.keyHash} = nullif(current_setting('app.api_key_hash', true), '')`,
    }),
  ],
).enableRLS();
