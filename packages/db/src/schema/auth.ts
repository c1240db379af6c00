import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { agencies, roleEnum, users } from "./agencies";
import { appRole, id, tenantPolicy, timestamps } from "./columns";

/** Session ids are the SHA-256 (hex) of the token in the cookie; the token itself is never stored. */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    currentAgencyId: uuid().references(() => agencies.id),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.userId)],
);

/** Failed sign-ins, keyed `email:<address>` or `ip:<address>`, for rate limiting. */
export const loginFailures = pgTable(
  "login_failures",
  {
    id: id(),
    key: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.key, t.createdAt)],
);

/**
 * An invitation into an agency: a single-use link whose token only the invitee holds (only its SHA-256 is
 * stored). No membership exists until the invitee accepts, so the inviting agency learns nothing about a
 * person Parley already knows, and nobody joins an agency without consent.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    /** Lower-case, as typed by the inviter. */
    email: text().notNull(),
    name: text().notNull(),
    role: roleEnum().notNull(),
    tokenHash: text().notNull(),
    invitedBy: uuid()
      .notNull()
      .references(() => users.id),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    acceptedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("invitations_token_hash_key").on(t.tokenHash),
    index().on(t.agencyId, t.email),
    tenantPolicy(t),
    // Before anyone knows the agency, the invitee's link names its one row (as API keys do).
    pgPolicy("invitation_lookup", {
      as: "permissive",
      for: "select",
      to: appRole,
      using: sql`${t.tokenHash} = (select nullif(current_setting('app.invitation_token_hash', true), ''))`,
    }),
  ],
).enableRLS();

/**
 * A single-use password reset link (only the token's SHA-256 is stored): sent by e-mail on request, or issued by
 * an owner for a member who belongs to their agency only. Users are global, so this table is not a tenant's.
 */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text().notNull(),
    /** The owner who issued it; null when the person asked for it by e-mail. */
    issuedBy: uuid().references(() => users.id),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("password_resets_token_hash_key").on(t.tokenHash), index().on(t.userId, t.createdAt)],
);
