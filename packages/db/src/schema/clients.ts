import { clientStatuses, platforms } from "@parley/contracts";
import {
  boolean,
  foreignKey,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { agencies, authorityEnum, memberships } from "./agencies";
import { id, tenantPolicy, timestamps } from "./columns";

export const clientStatusEnum = pgEnum("client_status", clientStatuses);
export const platformEnum = pgEnum("platform", platforms);

export const clients = pgTable(
  "clients",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    name: text().notNull(),
    timeZone: text().notNull(),
    status: clientStatusEnum().notNull().default("active"),
    stripeCustomerId: text(),
    /** Billing details printed on invoices as the buyer (snapshotted at finalize); null = not set. */
    billingAddress: text(),
    taxId: text(),
    billingEmail: text(),
    ...timestamps,
  },
  (t) => [index().on(t.agencyId), unique("clients_agency_id_id_key").on(t.agencyId, t.id), tenantPolicy(t, t.id)],
).enableRLS();

export const channels = pgTable(
  "channels",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    clientId: uuid().notNull(),
    platform: platformEnum().notNull(),
    externalAccountId: text().notNull(),
    displayName: text().notNull(),
    /** AES-256-GCM, keyed from APP_SECRET. */
    ingestSecretEnc: text().notNull(),
    /** AES-256-GCM JSON of platform credentials (tokens, app secrets), or null. */
    credentialsEnc: text(),
    /** Deliveries that failed in a row on this channel since its last success (a retry counts each attempt). */
    deliveryFailureStreak: integer().notNull().default(0),
    /**
     * An open delivery incident: the channel failed `channelIncidentThreshold` times in a row or refused with a
     * permanent error (a revoked token). Cleared by the next successful delivery.
     */
    incidentOpenedAt: timestamp({ withTimezone: true }),
    incidentReason: text(),
    ...timestamps,
  },
  (t) => [
    foreignKey({ columns: [t.agencyId, t.clientId], foreignColumns: [clients.agencyId, clients.id] }),
    uniqueIndex("channels_client_platform_account_key").on(t.clientId, t.platform, t.externalAccountId),
    index().on(t.agencyId, t.clientId),
    tenantPolicy(t),
  ],
).enableRLS();

/** Which clients a scoped member works on, and with what authority. */
export const clientAssignments = pgTable(
  "client_assignments",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    membershipId: uuid()
      .notNull()
      .references(() => memberships.id, { onDelete: "cascade" }),
    clientId: uuid().notNull(),
    authority: authorityEnum().notNull(),
    clientAdmin: boolean().notNull().default(false),
    ...timestamps,
  },
  (t) => [
    foreignKey({ columns: [t.agencyId, t.clientId], foreignColumns: [clients.agencyId, clients.id] }),
    uniqueIndex("client_assignments_membership_client_key").on(t.membershipId, t.clientId),
    index().on(t.agencyId, t.clientId),
    tenantPolicy(t),
  ],
).enableRLS();
